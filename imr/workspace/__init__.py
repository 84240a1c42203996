"""The workspace: its folder and `imr.yaml`, its git set-up, sharing, and a user's own settings."""
