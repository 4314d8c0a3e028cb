"""How the caller feels: text sentiment per turn (`text`), the voice (`prosody`), the mood over a call (`tracker`)."""
