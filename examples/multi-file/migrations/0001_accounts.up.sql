CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    balance    BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT now()
);
