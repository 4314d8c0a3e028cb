"""The demo shop: its data (samples/shop), database schema and queries, and the seed command."""
