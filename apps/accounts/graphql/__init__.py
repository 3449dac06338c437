"""What accounts adds to GraphQL: the API-token authenticator and the membership permission of mutations."""
