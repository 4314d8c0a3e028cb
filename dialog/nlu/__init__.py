"""Understanding a caller's turn: language, intent, slots. Entry point: `dialog.nlu.understander.Understander`."""
