//! The connection wrapper through which every accepted TCP stream is served.
