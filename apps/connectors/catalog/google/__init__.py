"""Google: one OAuth2 sign-in kind per service (the scopes it needs) and the steps of Sheets, Gmail, Calendar and
Drive, one module each. `common.py` holds what they share: the services' addresses, Google's error body read into
words, the OAuth2 base and the spreadsheet-address reader."""
