"""The local stand-in for API Gateway and DynamoDB, behind ``make dev`` and the HTTP tests."""
