//! Integration tests of the reproductions: the Dp figures' protocols and analyses on scaled-down
//! networks, the learned E/I assemblies study, the generated reports and the whole Vogels 2011
//! reproduction at its tiny size, and the drift reproduction at its tiny size.

mod dp_authors;
mod dp_claims;
mod dp_context;
mod dp_fig3;
mod dp_fig45;
mod dp_learned;
mod dp_summary;
mod dp_tiny;
mod drift;
mod report;
mod vogels2011;
