"""The backend's routes, one module per resource; app.py mounts them behind the token."""
