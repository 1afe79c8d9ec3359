"""Test support shared by the suite: building sites, serving them, driving Chromium."""
