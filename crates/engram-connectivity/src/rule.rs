//! Connection rules ([`Rule`], [`ConnectSpec`]) and the generators that turn them into a
//! [`Connectivity`], in parallel and with results independent of the thread count.

use crate::balance::OutDegreeBalancing;
use std::ops::Range;

use crate::pattern::{
    Connectivity, Constraints, MultiplicityMatrix, OmittedEntries, check_population_size, check_targets,
    collapse_sorted, kept_run,
};
use crate::sample::{bernoulli_sorted, draw_sorted};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};
use engram_core::params::{Params, probability};
use engram_core::rng::{RngStream, stream};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sprs::CsMatI;

/// Rows (or columns) per random stream. Fixed, so that the result does not depend on the
/// number of threads: chunk `c` always covers lines `c·LINES_PER_CHUNK..` and always draws
/// from `stream(seed, stream_id, c)`.
pub const LINES_PER_CHUNK: usize = 128;

/// How pairs of neurons are chosen.
///
/// In RON: `FixedProbability(p: 0.02)`, `FixedInDegree(k: 200)`, `FixedOutDegree(k: 80)`,
/// `AllToAll`, `OneToOne`, `Explicit(pairs: [(0, 1), (3, 2)])`.
///
/// ```
/// use engram_connectivity::Rule;
/// let r: Rule = engram_core::config::from_ron_str("FixedProbability(p: 0.02)", "<inline>").unwrap();
/// assert_eq!(r, Rule::FixedProbability { p: 0.02 });
/// // typos are caught
/// assert!(engram_core::config::from_ron_str::<Rule>("FixedInDegree(kk: 3)", "<inline>").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Rule {
    /// Each pair independently with probability `p` (Bernoulli; Erdős–Rényi). Never multapses.
    FixedProbability {
        /// Connection probability, in [0, 1].
        p: f64,
    },
    /// Each postsynaptic neuron gets exactly `k` inputs (counting multiplicity), drawn
    /// uniformly from the presynaptic population.
    FixedInDegree {
        /// In-degree of every postsynaptic neuron.
        k: u32,
    },
    /// Each presynaptic neuron gets exactly `k` outputs (counting multiplicity), drawn
    /// uniformly from the postsynaptic population.
    FixedOutDegree {
        /// Out-degree of every presynaptic neuron.
        k: u32,
    },
    /// Every pair (minus `i → i` when autapses are off in one population).
    AllToAll,
    /// `i → i` for every `i`; needs `n_pre == n_post`.
    OneToOne,
    /// Exactly these `(pre, post)` pairs; a pair listed twice has multiplicity 2.
    Explicit {
        /// The pairs.
        pairs: Vec<(u32, u32)>,
    },
    /// Consecutive groups of `group_size` neurons (neuron `i` in group `i / group_size`, in
    /// both populations; the last group may be smaller), each pair within a group connected
    /// with probability `p`, none between groups: assemblies connected within. Never
    /// multapses; `i → i` in one population is no candidate with autapses off.
    ///
    /// Randomness: one uniform draw per candidate pair (`u < p` connects), rows in order and
    /// each row's group in order, from one stream (`stream(seed, stream_id, 0)`, the first
    /// rows' chunk), sequentially.
    WithinGroups {
        /// Connection probability of each pair within a group, in [0, 1].
        p: f64,
        /// Neurons per group, at least 1.
        group_size: usize,
    },
}

impl Params for Rule {
    /// Checks that do not need the population sizes (`p` is a probability).
    fn validate(&self) -> Result<(), ParamError> {
        match self {
            Rule::FixedProbability { p } => probability("p", *p),
            Rule::WithinGroups { p, group_size } => {
                probability("p", *p)?;
                if *group_size == 0 {
                    return Err(ParamError::new("group_size", 0, "at least 1 neuron per group"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn default_autapses() -> bool {
    true
}

/// A connection rule plus what it may create, as written in a projection's configuration.
///
/// `autapses` only matters when pre and post are the same population
/// ([`ConnectSpec::connect_recurrent`]); it defaults to `true` because the Dp reference code
/// allows self-connections. `multapses` (default `false`) makes fixed in-/out-degree draws
/// with replacement, so a pair can be drawn twice and get multiplicity 2. `balance`, if set,
/// applies [`Connectivity::balance_out_degrees`] after drawing.
///
/// Randomness: chunk `c` of rows (columns for fixed in-degree) draws from
/// `engram_core::rng::stream(seed, stream_id, c)`, so the pattern is identical for any number of
/// rayon threads.
///
/// ```
/// use engram_connectivity::{ConnectSpec, Rule};
/// let spec: ConnectSpec = engram_core::config::from_ron_str(
///     "(rule: FixedInDegree(k: 20), autapses: false)", "<inline>").unwrap();
/// let ee = spec.connect_recurrent(400, 7, 1).unwrap();
/// assert!(ee.in_degrees().iter().all(|&d| d == 20));
/// assert_eq!(ee.n_diagonal_entries(), 0);
/// assert_eq!(ee.max_multiplicity(), 1);
///
/// let bad = ConnectSpec::new(Rule::FixedProbability { p: 1.5 }).connect(10, 10, 0, 0).unwrap_err();
/// assert_eq!(bad.field, "rule.p");
/// assert!(bad.to_string().contains("a probability in [0, 1]"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectSpec {
    /// How pairs are chosen.
    pub rule: Rule,
    /// Allow `i → i` when pre and post are the same population (default `true`).
    #[serde(default = "default_autapses")]
    pub autapses: bool,
    /// Draw fixed in-/out-degrees with replacement, allowing multiplicity > 1 (default `false`).
    #[serde(default)]
    pub multapses: bool,
    /// Out-degree balancing applied after drawing (default none).
    #[serde(default)]
    pub balance: Option<OutDegreeBalancing>,
}

impl Params for ConnectSpec {
    /// Checks that do not need the population sizes; see [`ConnectSpec::validate_for`].
    fn validate(&self) -> Result<(), ParamError> {
        self.rule.validate().map_err(|e| e.within("rule"))?;
        if let Some(b) = &self.balance {
            b.validate().map_err(|e| e.within("balance"))?;
        }
        Ok(())
    }
}

impl ConnectSpec {
    /// `rule` with autapses allowed, no multapses and no balancing.
    pub fn new(rule: Rule) -> Self {
        Self { rule, autapses: true, multapses: false, balance: None }
    }

    /// The same spec with `autapses` set.
    pub fn autapses(mut self, autapses: bool) -> Self {
        self.autapses = autapses;
        self
    }

    /// The same spec with `multapses` set.
    pub fn multapses(mut self, multapses: bool) -> Self {
        self.multapses = multapses;
        self
    }

    /// The same spec with out-degree balancing after drawing.
    pub fn balance(mut self, balance: OutDegreeBalancing) -> Self {
        self.balance = Some(balance);
        self
    }

    /// Whether autapses are excluded for these populations.
    fn excludes_autapses(&self, same_population: bool) -> bool {
        same_population && !self.autapses
    }

    /// What edits of the drawn pattern may create (autapses and multapses as specified).
    fn constraints(&self, same_population: bool) -> Constraints {
        Constraints { allow_autapses: !self.excludes_autapses(same_population), allow_multapses: self.multapses }
    }

    /// All checks, for a projection from `n_pre` to `n_post` neurons: `p` in [0, 1]; with
    /// multapses off, `k` at most the number of candidates (`n_pre` or `n_post`, minus one when
    /// autapses are excluded); with multapses on, at least one candidate when `k > 0`;
    /// `OneToOne` and same-population projections need `n_pre == n_post`; explicit pairs in
    /// range and obeying the autapse and multapse settings.
    pub fn validate_for(&self, n_pre: usize, n_post: usize, same_population: bool) -> Result<(), ParamError> {
        self.validate()?;
        check_population_size("n_pre", n_pre)?;
        check_population_size("n_post", n_post)?;
        if same_population && n_pre != n_post {
            return Err(ParamError::new(
                "n_post",
                n_post,
                format!("n_post == n_pre = {n_pre} for a projection within one population"),
            ));
        }
        let no_autapses = self.excludes_autapses(same_population);
        let degree_check = |k: u32, n: usize, what: &str| {
            let candidates = if no_autapses { n.saturating_sub(1) } else { n };
            if self.multapses {
                if k > 0 && candidates == 0 {
                    return Err(ParamError::new("rule.k", k, format!("0: there is no {what} neuron to draw from")));
                }
            } else if k as usize > candidates {
                return Err(ParamError::new(
                    "rule.k",
                    k,
                    format!(
                        "at most {candidates} ({what} neurons{}) without multapses",
                        if no_autapses { ", minus the autapse" } else { "" }
                    ),
                ));
            }
            Ok(())
        };
        match &self.rule {
            Rule::FixedInDegree { k } => degree_check(*k, n_pre, "presynaptic")?,
            Rule::FixedOutDegree { k } => degree_check(*k, n_post, "postsynaptic")?,
            Rule::OneToOne if n_pre != n_post => {
                return Err(ParamError::new("n_post", n_post, format!("n_post == n_pre = {n_pre} for OneToOne")));
            }
            Rule::OneToOne if no_autapses && n_pre > 0 => {
                return Err(ParamError::new(
                    "autapses",
                    false,
                    "true: OneToOne within one population connects each neuron only to itself",
                ));
            }
            Rule::Explicit { pairs } => {
                for &(i, j) in pairs {
                    if i as usize >= n_pre || j as usize >= n_post {
                        return Err(ParamError::new(
                            "rule.pairs",
                            format!("({i}, {j})"),
                            format!("pairs (pre, post) with pre < {n_pre} and post < {n_post}"),
                        ));
                    }
                    if no_autapses && i == j {
                        return Err(ParamError::new(
                            "rule.pairs",
                            format!("({i}, {j})"),
                            "no autapses (autapses: false)",
                        ));
                    }
                }
                if !self.multapses {
                    let mut sorted = pairs.clone();
                    sorted.sort_unstable();
                    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                        return Err(ParamError::new(
                            "rule.pairs",
                            format!("({}, {})", w[0].0, w[0].1),
                            "each pair at most once (multapses: false)",
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Draw the pattern between two different populations (`autapses` does not apply).
    pub fn connect(&self, n_pre: usize, n_post: usize, seed: u64, stream_id: u64) -> Result<Connectivity, ParamError> {
        self.connect_populations(n_pre, n_post, false, seed, stream_id)
    }

    /// Draw the pattern of a projection of a population of `n` neurons onto itself
    /// (`autapses` applies).
    pub fn connect_recurrent(&self, n: usize, seed: u64, stream_id: u64) -> Result<Connectivity, ParamError> {
        self.connect_populations(n, n, true, seed, stream_id)
    }

    /// Draw the pattern from `n_pre` to `n_post` neurons; `same_population` says whether
    /// pre and post are one population (then `i → i` is an autapse).
    pub fn connect_populations(
        &self,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        seed: u64,
        stream_id: u64,
    ) -> Result<Connectivity, ParamError> {
        self.validate_for(n_pre, n_post, same_population)?;
        let (matrix, _) = self.draw_matrix(n_pre, n_post, same_population, seed, stream_id, None)?;
        self.finish(matrix, same_population, seed, stream_id)
    }

    /// [`connect_populations`](Self::connect_populations) onto the postsynaptic neurons
    /// `targets` only: the same pattern as
    /// [`Connectivity::restrict_targets`] of the whole one, bit for bit, and what each row
    /// left out ([`OmittedEntries`]), drawn without holding the whole pattern. This is how a
    /// rank of a network split across ranks builds its part (each rank runs the same draws,
    /// and keeps only the entries onto its own neurons).
    ///
    /// Rows (fixed probability, fixed out-degree, all to all, within groups) keep each row's
    /// kept entries as soon as it is drawn; fixed in-degree draws the kept columns' chunks, and the other
    /// chunks a few at a time only to count what the rows leave out. `OneToOne` makes the
    /// kept neurons' entries only; `Explicit` builds its kept pairs (the list itself, part of
    /// the spec, is held whole, and the other pairs are sorted once to count each row's left
    /// out entries). Patterns with out-degree balancing, which moves entries between
    /// targets, are made whole: for them the whole pattern is held while it is made.
    ///
    /// Errors: those of [`connect_populations`](Self::connect_populations), and `targets` not
    /// within `0..n_post` (field `targets`).
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule};
    /// let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.1 });
    /// let whole = spec.connect_populations(500, 400, false, 7, 1).unwrap();
    /// let (part, omitted) = spec.connect_onto(500, 400, false, 7, 1, 100..200).unwrap();
    /// assert_eq!((part.clone(), omitted.clone()), whole.restrict_targets(100..200).unwrap());
    /// assert_eq!(part.n_entries() + omitted.n_omitted(), whole.n_entries());
    /// ```
    pub fn connect_onto(
        &self,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        seed: u64,
        stream_id: u64,
        targets: Range<usize>,
    ) -> Result<(Connectivity, OmittedEntries), ParamError> {
        self.validate_for(n_pre, n_post, same_population)?;
        let keep = check_targets(targets.clone(), n_post)?;
        if self.balance.is_some() {
            return self
                .connect_populations(n_pre, n_post, same_population, seed, stream_id)?
                .restrict_targets(targets);
        }
        let (matrix, omitted) = self.draw_matrix(n_pre, n_post, same_population, seed, stream_id, Some(&keep))?;
        Ok((self.finish(matrix, same_population, seed, stream_id)?, omitted))
    }

    /// [`connect_onto`](Self::connect_onto) on one of several ranks that each call it, at the
    /// same point, for their own `targets` (ranges that tile `0..n_post` in rank order): a
    /// pattern with out-degree balancing is drawn onto the targets and balanced across the
    /// ranks ([`Connectivity::balance_out_degrees_across`]) instead of being made whole on
    /// every rank; any other pattern is `connect_onto`'s, with no collective. Either way, the
    /// whole pattern's entries onto `targets`, bit for bit, and what each row left out.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, OutDegreeBalancing, Rule};
    /// use engram_core::collective::OneRank;
    /// let spec = ConnectSpec::new(Rule::FixedInDegree { k: 20 }).balance(OutDegreeBalancing::default());
    /// let whole = spec.connect_populations(300, 200, false, 5, 6).unwrap();
    /// let part = spec.connect_onto_across(300, 200, false, 5, 6, 0..200, &mut OneRank).unwrap();
    /// assert_eq!(part, whole.restrict_targets(0..200).unwrap());
    /// ```
    ///
    /// Errors: those of `connect_onto` and of `balance_out_degrees_across`.
    #[allow(clippy::too_many_arguments)]
    pub fn connect_onto_across(
        &self,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        seed: u64,
        stream_id: u64,
        targets: Range<usize>,
        ranks: &mut dyn AllGather,
    ) -> Result<(Connectivity, OmittedEntries), EngramError> {
        let Some(balance) = &self.balance else {
            return Ok(self.connect_onto(n_pre, n_post, same_population, seed, stream_id, targets)?);
        };
        self.validate_for(n_pre, n_post, same_population)?;
        let mut part = match check_targets(targets.clone(), n_post) {
            Ok(keep) => {
                let (matrix, _) = self.draw_matrix(n_pre, n_post, same_population, seed, stream_id, Some(&keep))?;
                Connectivity::from_matrix(matrix, self.constraints(same_population))
            }
            // the balancing's first collective tells every rank (none is left waiting)
            Err(_) => Connectivity::empty(n_pre, n_post),
        };
        let (t, f) = (balance.trigger_fraction, balance.target_fraction);
        let (_, omitted) = part.balance_out_degrees_across(targets, t, f, seed, stream_id, ranks)?;
        Ok((part, omitted))
    }

    /// For each list of presynaptic neurons `sources[k]`, how many connections (counting
    /// multiplicity) each postsynaptic neuron receives from them in the pattern
    /// [`connect_populations`](Self::connect_populations) draws: [`input_counts`](crate::input_counts)
    /// of the whole pattern, for every list at once. A fixed in-degree pattern without
    /// balancing is drawn a few column chunks at a time and never held whole: this is how
    /// every rank of a network split across ranks computes, alike, a summary of all targets'
    /// inputs (such as the counts that choose assemblies,
    /// [`AssemblySet::from_counts`](crate::AssemblySet::from_counts)) while keeping only its
    /// own synapses. Other rules, and balanced patterns, are made whole first.
    ///
    /// Errors: those of [`connect_populations`](Self::connect_populations); a source out of
    /// range or listed twice in one list (field `sources[k]`).
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule, input_counts};
    /// let spec = ConnectSpec::new(Rule::FixedInDegree { k: 20 });
    /// let sources = vec![(0..30).collect::<Vec<u32>>(), vec![5, 99, 250]];
    /// let counts = spec.input_counts(300, 1000, false, 1, 1, &sources).unwrap();
    /// let whole = spec.connect(300, 1000, 1, 1).unwrap();
    /// assert_eq!(counts[0], input_counts(&whole, &sources[0]).unwrap());
    /// assert_eq!(counts[1], input_counts(&whole, &sources[1]).unwrap());
    /// assert_eq!(spec.input_counts(300, 1000, false, 1, 1, &[vec![300]]).unwrap_err().field, "sources[0]");
    /// ```
    pub fn input_counts<S: AsRef<[u32]>>(
        &self,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        seed: u64,
        stream_id: u64,
        sources: &[S],
    ) -> Result<Vec<Vec<u32>>, ParamError> {
        self.validate_for(n_pre, n_post, same_population)?;
        // per presynaptic neuron, the lists it is in
        let mut lists_of_pre = vec![Vec::new(); n_pre];
        for (k, list) in sources.iter().enumerate() {
            for &i in list.as_ref() {
                let field = || format!("sources[{k}]");
                let Some(lists) = lists_of_pre.get_mut(i as usize) else {
                    return Err(ParamError::new(field(), i, format!("presynaptic indices below {n_pre}")));
                };
                if lists.last() == Some(&k) {
                    return Err(ParamError::new(field(), i, "each source at most once"));
                }
                lists.push(k);
            }
        }
        let mut counts = vec![vec![0u32; n_post]; sources.len()];
        match self.rule {
            Rule::FixedInDegree { k } if self.balance.is_none() => {
                let draw = column_draw(k, n_pre as u32, self.excludes_autapses(same_population), self.multapses);
                visit_columns(n_post, seed, stream_id, draw, |j, pres, mults| {
                    for (&i, &m) in pres.iter().zip(mults) {
                        for &k in &lists_of_pre[i as usize] {
                            counts[k][j as usize] += u32::from(m);
                        }
                    }
                })?;
            }
            _ => {
                let whole = self.connect_populations(n_pre, n_post, same_population, seed, stream_id)?;
                for (i, lists) in lists_of_pre.iter().enumerate() {
                    let (posts, mults) = whole.row(i);
                    for &k in lists {
                        for (&j, &m) in posts.iter().zip(mults) {
                            counts[k][j as usize] += u32::from(m);
                        }
                    }
                }
            }
        }
        Ok(counts)
    }

    /// The pattern with its constraints, balanced if asked.
    fn finish(
        &self,
        matrix: MultiplicityMatrix,
        same_population: bool,
        seed: u64,
        stream_id: u64,
    ) -> Result<Connectivity, ParamError> {
        let mut connectivity = Connectivity::from_matrix(matrix, self.constraints(same_population));
        if let Some(b) = &self.balance {
            connectivity.balance_out_degrees(b.trigger_fraction, b.target_fraction, seed, stream_id)?;
        }
        Ok(connectivity)
    }

    /// Draw the matrix of the rule (checked), whole or, with `keep`, onto those columns only
    /// with what each row left out (empty without `keep`).
    fn draw_matrix(
        &self,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        seed: u64,
        stream_id: u64,
        keep: Option<&Range<u32>>,
    ) -> Result<(MultiplicityMatrix, OmittedEntries), ParamError> {
        let no_autapses = self.excludes_autapses(same_population);
        let excluded = |line: u32| if no_autapses { Some(line) } else { None };
        let (m_pre, m_post) = (n_pre as u32, n_post as u32);
        let multapses = self.multapses;
        let rows = |lines: Lines| {
            let omitted = OmittedEntries {
                before: lines.chunks.iter().flat_map(|c| c.before.iter().copied()).collect(),
                after: lines.chunks.iter().flat_map(|c| c.after.iter().copied()).collect(),
            };
            (lines.into_csr(n_pre, n_post), omitted)
        };
        Ok(match &self.rule {
            Rule::FixedProbability { p } => {
                let p = *p;
                let lines = draw_lines(n_pre, seed, stream_id, keep, |rng, i, _, idx, counts| {
                    let start = idx.len();
                    bernoulli_sorted(rng, m_post, p, excluded(i), idx);
                    counts.resize(counts.len() + idx.len() - start, 1);
                    Ok(())
                })?;
                rows(lines)
            }
            Rule::FixedOutDegree { k } => {
                let k = *k;
                let lines = draw_lines(n_pre, seed, stream_id, keep, |rng, i, scratch, idx, counts| {
                    draw_sorted(rng, m_post, k, excluded(i), multapses, &mut scratch.0, &mut scratch.1);
                    collapse_sorted(&scratch.1, idx, counts).map_err(|_| multiplicity_overflow(k))
                })?;
                rows(lines)
            }
            Rule::FixedInDegree { k } => {
                let draw = column_draw(*k, m_pre, no_autapses, multapses);
                match keep {
                    Some(keep) => draw_columns_onto(n_pre, n_post, seed, stream_id, keep, draw)?,
                    None => {
                        let lines = draw_lines(n_post, seed, stream_id, None, draw)?;
                        (lines.transpose_into_csr(n_pre, n_post, 0), OmittedEntries::default())
                    }
                }
            }
            Rule::AllToAll => {
                let lines = draw_lines(n_pre, seed, stream_id, keep, |_, i, _, idx, counts| {
                    let start = idx.len();
                    idx.extend((0..m_post).filter(|&j| excluded(i) != Some(j)));
                    counts.resize(counts.len() + idx.len() - start, 1);
                    Ok(())
                })?;
                rows(lines)
            }
            Rule::OneToOne => {
                // i → i, onto the kept neurons only: one entry in each kept row
                let kept = keep.cloned().unwrap_or(0..m_pre);
                let indptr: Vec<usize> =
                    (0..=m_pre).map(|i| (i.clamp(kept.start, kept.end) - kept.start) as usize).collect();
                let omitted = match keep {
                    Some(keep) => OmittedEntries {
                        before: (0..m_pre).map(|i| u32::from(i < keep.start)).collect(),
                        after: (0..m_pre).map(|i| u32::from(i >= keep.end)).collect(),
                    },
                    None => OmittedEntries::default(),
                };
                let kept: Vec<u32> = kept.collect();
                let n_kept = kept.len();
                (CsMatI::new((n_pre, n_post), indptr, kept, vec![1; n_kept]), omitted)
            }
            Rule::WithinGroups { p, group_size } => {
                within_groups(n_pre, n_post, (*p, *group_size), no_autapses, stream(seed, stream_id, 0), keep)
            }
            Rule::Explicit { pairs } => match keep {
                None => (
                    Connectivity::from_pairs(n_pre, n_post, pairs.iter().copied())?.into_matrix(),
                    OmittedEntries::default(),
                ),
                Some(keep) => {
                    let kept = pairs.iter().copied().filter(|(_, j)| keep.contains(j));
                    let matrix = Connectivity::from_pairs(n_pre, n_post, kept)?.into_matrix();
                    // the distinct entries (a repeated pair is one entry) each row leaves out
                    let mut others: Vec<(u32, u32)> =
                        pairs.iter().copied().filter(|(_, j)| !keep.contains(j)).collect();
                    others.sort_unstable();
                    others.dedup();
                    let mut omitted = OmittedEntries { before: vec![0; n_pre], after: vec![0; n_pre] };
                    for (i, j) in others {
                        let side = if j < keep.start { &mut omitted.before } else { &mut omitted.after };
                        side[i as usize] += 1;
                    }
                    (matrix, omitted)
                }
            },
        })
    }
}

/// The [`Rule::WithinGroups`] pattern, drawn row by row from `rng`: whole, or with `keep`
/// onto those columns only, with what each row left out.
fn within_groups(
    n_pre: usize,
    n_post: usize,
    (p, group_size): (f64, usize),
    no_autapses: bool,
    mut rng: RngStream,
    keep: Option<&Range<u32>>,
) -> (MultiplicityMatrix, OmittedEntries) {
    let size = group_size.max(1);
    let kept = keep.cloned().unwrap_or(0..n_post as u32);
    let mut omitted = match keep {
        Some(_) => OmittedEntries { before: vec![0; n_pre], after: vec![0; n_pre] },
        None => OmittedEntries::default(),
    };
    let (mut indptr, mut indices) = (Vec::with_capacity(n_pre + 1), Vec::new());
    indptr.push(0);
    for i in 0..n_pre {
        let group = (i / size).saturating_mul(size);
        for j in group.min(n_post)..group.saturating_add(size).min(n_post) {
            if (no_autapses && i == j) || rng.r#gen::<f64>() >= p {
                continue;
            }
            let j = j as u32;
            if kept.contains(&j) {
                indices.push(j);
            } else if j < kept.start {
                omitted.before[i] += 1;
            } else {
                omitted.after[i] += 1;
            }
        }
        indptr.push(indices.len());
    }
    let n = indices.len();
    (CsMatI::new((n_pre, n_post), indptr, indices, vec![1; n]), omitted)
}

/// The draw of one column `j` of a fixed in-degree pattern: `k` of the `m_pre` presynaptic
/// neurons (never `j` itself with `no_autapses`), sorted, with multiplicities.
fn column_draw(
    k: u32,
    m_pre: u32,
    no_autapses: bool,
    multapses: bool,
) -> impl Fn(&mut RngStream, u32, &mut Scratch, &mut Vec<u32>, &mut Vec<u16>) -> Result<(), ParamError> + Sync {
    move |rng, j, scratch, idx, counts| {
        let excluded = if no_autapses { Some(j) } else { None };
        draw_sorted(rng, m_pre, k, excluded, multapses, &mut scratch.0, &mut scratch.1);
        collapse_sorted(&scratch.1, idx, counts).map_err(|_| multiplicity_overflow(k))
    }
}

fn multiplicity_overflow(k: u32) -> ParamError {
    ParamError::new("rule.k", k, "a degree that keeps every multiplicity at most 65535")
}

/// One chunk of drawn lines (rows or columns): per line its number of entries, and the
/// entries' other-side indices (sorted within a line) and multiplicities. Rows drawn onto
/// some targets only ([`draw_lines`] with `keep`) also record, per row, the entries left out
/// before and after the kept ones.
#[derive(Default)]
struct LineChunk {
    lengths: Vec<u32>,
    indices: Vec<u32>,
    counts: Vec<u16>,
    before: Vec<u32>,
    after: Vec<u32>,
}

/// All drawn lines, in chunk order.
struct Lines {
    chunks: Vec<LineChunk>,
}

/// Scratch buffers a line drawer may use (kept per chunk to avoid allocating per line).
type Scratch = (Vec<u32>, Vec<u32>);

/// Draw `n_lines` lines in parallel chunks of [`LINES_PER_CHUNK`]; `draw(rng, line, scratch,
/// indices, counts)` appends one line's sorted entries. With `keep`, each line (a row) keeps
/// only its entries in `keep` right after it is drawn, and the chunk records how many it left
/// out on either side: the draws are those of the whole pattern, the memory only the kept
/// entries'.
fn draw_lines<F>(
    n_lines: usize,
    seed: u64,
    stream_id: u64,
    keep: Option<&Range<u32>>,
    draw: F,
) -> Result<Lines, ParamError>
where
    F: Fn(&mut RngStream, u32, &mut Scratch, &mut Vec<u32>, &mut Vec<u16>) -> Result<(), ParamError> + Sync,
{
    let n_chunks = n_lines.div_ceil(LINES_PER_CHUNK);
    let chunks = (0..n_chunks)
        .into_par_iter()
        .map(|c| draw_chunk(c, n_lines, seed, stream_id, keep, &draw))
        .collect::<Result<Vec<_>, ParamError>>()?;
    Ok(Lines { chunks })
}

/// Chunk `c` of [`draw_lines`].
fn draw_chunk<F>(
    c: usize,
    n_lines: usize,
    seed: u64,
    stream_id: u64,
    keep: Option<&Range<u32>>,
    draw: &F,
) -> Result<LineChunk, ParamError>
where
    F: Fn(&mut RngStream, u32, &mut Scratch, &mut Vec<u32>, &mut Vec<u16>) -> Result<(), ParamError> + Sync,
{
    let mut rng = stream(seed, stream_id, c as u64);
    let mut chunk = LineChunk::default();
    let mut scratch = Scratch::default();
    let lines = c * LINES_PER_CHUNK..((c + 1) * LINES_PER_CHUNK).min(n_lines);
    chunk.lengths.reserve(lines.len());
    for line in lines {
        let before = chunk.indices.len();
        draw(&mut rng, line as u32, &mut scratch, &mut chunk.indices, &mut chunk.counts)?;
        if let Some(keep) = keep {
            let (a, b) = kept_run(&chunk.indices[before..], keep);
            let len = chunk.indices.len() - before;
            chunk.indices.copy_within(before + a..before + b, before);
            chunk.counts.copy_within(before + a..before + b, before);
            chunk.indices.truncate(before + b - a);
            chunk.counts.truncate(before + b - a);
            chunk.before.push(a as u32);
            chunk.after.push((len - b) as u32);
        }
        chunk.lengths.push((chunk.indices.len() - before) as u32);
    }
    Ok(chunk)
}

/// Draw the `n_post` columns of a fixed in-degree pattern (lines are columns) and keep only
/// the columns `keep`, as CSR rows. The chunks of other columns are drawn too, a few at a
/// time, only to count each row's entries before and after the kept ones (their draws are
/// the single process's; the memory is the kept columns' and a few chunks').
fn draw_columns_onto<F>(
    n_pre: usize,
    n_post: usize,
    seed: u64,
    stream_id: u64,
    keep: &Range<u32>,
    draw: F,
) -> Result<(MultiplicityMatrix, OmittedEntries), ParamError>
where
    F: Fn(&mut RngStream, u32, &mut Scratch, &mut Vec<u32>, &mut Vec<u16>) -> Result<(), ParamError> + Sync,
{
    let mut kept = LineChunk::default();
    let mut omitted = OmittedEntries { before: vec![0; n_pre], after: vec![0; n_pre] };
    visit_columns(n_post, seed, stream_id, draw, |column, pres, counts| {
        if keep.contains(&column) {
            kept.lengths.push(pres.len() as u32);
            kept.indices.extend_from_slice(pres);
            kept.counts.extend_from_slice(counts);
        } else {
            let side = if column < keep.start { &mut omitted.before } else { &mut omitted.after };
            for &i in pres {
                side[i as usize] += 1;
            }
        }
    })?;
    Ok((Lines { chunks: vec![kept] }.transpose_into_csr(n_pre, n_post, keep.start), omitted))
}

/// Draw the `n_post` columns of a fixed in-degree pattern, a few chunks at a time (in
/// parallel), and hand each to `visit(column, presynaptic indices, multiplicities)` in
/// increasing column order, dropping each chunk once visited: the single process's draws,
/// with the memory of a few chunks.
fn visit_columns<F, V>(n_post: usize, seed: u64, stream_id: u64, draw: F, mut visit: V) -> Result<(), ParamError>
where
    F: Fn(&mut RngStream, u32, &mut Scratch, &mut Vec<u32>, &mut Vec<u16>) -> Result<(), ParamError> + Sync,
    V: FnMut(u32, &[u32], &[u16]),
{
    let n_chunks = n_post.div_ceil(LINES_PER_CHUNK);
    let batch = (rayon::current_num_threads() * 4).max(1);
    for first in (0..n_chunks).step_by(batch) {
        let chunks = first..(first + batch).min(n_chunks);
        let drawn = chunks
            .clone()
            .into_par_iter()
            .map(|c| draw_chunk(c, n_post, seed, stream_id, None, &draw))
            .collect::<Result<Vec<_>, ParamError>>()?;
        for (c, chunk) in chunks.zip(drawn) {
            let mut k = 0;
            for (column, &len) in (c * LINES_PER_CHUNK..).zip(&chunk.lengths) {
                let entries = k..k + len as usize;
                k = entries.end;
                visit(column as u32, &chunk.indices[entries.clone()], &chunk.counts[entries]);
            }
        }
    }
    Ok(())
}

impl Lines {
    fn nnz(&self) -> usize {
        self.chunks.iter().map(|c| c.indices.len()).sum()
    }

    /// The lines are rows: concatenate them.
    fn into_csr(self, n_pre: usize, n_post: usize) -> MultiplicityMatrix {
        let nnz = self.nnz();
        let mut indptr = Vec::with_capacity(n_pre + 1);
        indptr.push(0usize);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        for chunk in self.chunks {
            for &len in &chunk.lengths {
                indptr.push(indptr.last().copied().unwrap_or(0) + len as usize);
            }
            indices.extend_from_slice(&chunk.indices);
            data.extend_from_slice(&chunk.counts);
        }
        CsMatI::new((n_pre, n_post), indptr, indices, data)
    }

    /// Counting sort by presynaptic neuron. Columns are visited in
    /// increasing order, so each row's column indices come out sorted. (The same sort as
    /// [`TransposeIndex::new`](crate::TransposeIndex::new), the other way round: this one moves
    /// the drawn entries into CSR rows, that one indexes a built matrix's entries by column.)
    /// The lines are columns `first_column..` of the matrix (in order; the other columns stay
    /// empty).
    fn transpose_into_csr(self, n_pre: usize, n_post: usize, first_column: u32) -> MultiplicityMatrix {
        let nnz = self.nnz();
        let mut indptr = vec![0usize; n_pre + 1];
        for chunk in &self.chunks {
            for &i in &chunk.indices {
                indptr[i as usize + 1] += 1;
            }
        }
        for i in 0..n_pre {
            indptr[i + 1] += indptr[i];
        }
        let mut next = indptr[..n_pre].to_vec();
        let mut indices = vec![0u32; nnz];
        let mut data = vec![0u16; nnz];
        let mut column = first_column;
        for chunk in &self.chunks {
            let mut k = 0;
            for &len in &chunk.lengths {
                for (&i, &m) in chunk.indices[k..k + len as usize].iter().zip(&chunk.counts[k..k + len as usize]) {
                    let slot = &mut next[i as usize];
                    indices[*slot] = column;
                    data[*slot] = m;
                    *slot += 1;
                }
                k += len as usize;
                column += 1;
            }
        }
        CsMatI::new((n_pre, n_post), indptr, indices, data)
    }
}
