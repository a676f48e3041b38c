"""Training on real scenarios with a simulated customer, and culture cards."""
