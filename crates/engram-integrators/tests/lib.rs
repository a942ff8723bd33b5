//! Integration tests of engram-integrators: convergence order of each scheme against exact
//! solutions of linear systems, and the exact propagator against closed forms.

mod common;
mod convergence;
mod exact;
mod in_a_population;
mod kind;
