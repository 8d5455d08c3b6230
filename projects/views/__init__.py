"""The views of the projects app, one module per part of the product (no code here)."""
