"""Editor features: plain functions over a document and its checked package (no server here)."""
