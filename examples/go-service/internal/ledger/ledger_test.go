package ledger

import "testing"

func TestTransfer(t *testing.T) {
	l := New()
	l.Deposit("alice", 500)
	if err := l.Transfer("alice", "bob", 200); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance("bob"); got != 200 {
		t.Fatalf("bob has %d, want 200", got)
	}
	if err := l.Transfer("bob", "alice", 201); err != ErrInsufficientFunds {
		t.Fatalf("overdraft: got %v, want ErrInsufficientFunds", err)
	}
}
