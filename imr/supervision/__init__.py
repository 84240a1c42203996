"""What supervisors and managers rely on: check, history and merge gates, diff, status, fidelity, report."""
