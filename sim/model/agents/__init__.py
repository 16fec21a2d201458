"""The model's agents (Mesa agents over a batch of scenarios): labs, GPU vendors, the fleets of
model copies labs deploy, workers by occupation, and the US economy. Agents change each
other's state only through verbs (a lab books revenue, a vendor takes an order).
"""
