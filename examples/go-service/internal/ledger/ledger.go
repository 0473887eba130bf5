// Package ledger keeps account balances in memory.
package ledger

import (
	"errors"
	"sync"
)

// ErrInsufficientFunds is returned when a transfer would overdraw an account.
var ErrInsufficientFunds = errors.New("insufficient funds")

// Ledger holds the balance of every account, in cents.
type Ledger struct {
	mu       sync.Mutex
	balances map[string]int64
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{balances: map[string]int64{}}
}

// Deposit adds amount to account.
func (l *Ledger) Deposit(account string, amount int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.balances[account] += amount
}

// Transfer moves amount from one account to another.
func (l *Ledger) Transfer(from, to string, amount int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.balances[from] < amount {
		return ErrInsufficientFunds
	}
	l.balances[from] -= amount
	l.balances[to] += amount
	return nil
}

// Balance returns the balance of account.
func (l *Ledger) Balance(account string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.balances[account]
}
