//! The C ABI: translation only, no Anaplan logic (see `include/anaplan.h`).
