"""Local stand-ins for the services connectors call, on 127.0.0.1: each checks the request shapes the real service
expects (paths, headers, form fields) and answers the real service's bodies and error codes."""
