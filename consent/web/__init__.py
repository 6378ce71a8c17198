"""What the doors share: error answers, locale choice, labels, security headers, mail."""
