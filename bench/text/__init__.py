"""Every text step measured on public data nobody on the project wrote (`python -m bench.text`)."""
