"""The browser app's panels and their HTML rendering (wired together by app.py)."""
