// Anchors the precompiled header that every test shares.
