"""Telephony: the wires callers reach VoiceDesk by (Twilio, browser, AudioSocket, SIP/RTP with G.711)."""
