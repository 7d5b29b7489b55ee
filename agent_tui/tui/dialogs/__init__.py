"""Modal dialogs: model picker, session switcher, permission request, help, themes, first run, confirm."""
