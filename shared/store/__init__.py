"""The only code that knows DynamoDB: key formats, conditions, transactions, error mapping."""
