"""Views: each module turns the derived site into pages (see render.VIEWS)."""
