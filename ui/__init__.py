"""The browser app: its calls, its page and panels, their HTML rendering and static files (served via app.py)."""
