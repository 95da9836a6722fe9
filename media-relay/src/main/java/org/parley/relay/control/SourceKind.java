package org.parley.relay.control;

/** What an endpoint publishes: each is a separate source that can be subscribed and muted. */
public enum SourceKind {
    AUDIO,
    VIDEO,
    SCREEN
}
