//! The odor subspace of Figs 4–6: 121 mixtures on an 11 × 11 grid spanned by four pure odors at
//! the corners, the 8 trajectories that present them, and the correlated subspace of Fig. 6.
//!
//! **Grid.** Pixel `(row, col)`, rows top to bottom, columns left to right, both 0..=10. The
//! corners are pure odors ([`Corner`]): by default top-left and top-right are the two learned
//! odors (L, M), bottom-left and bottom-right the two novel ones (N, O).
//!
//! **Concentrations (Table 3).** [`CONCENTRATION_TOP_LEFT_PERCENT`] is the percentage of the
//! top-left odor's activated (and inhibited) MCs kept at each pixel, exactly as printed. The other
//! corners use the same table **mirrored to their corner**: the concentration of corner `c` at
//! `(row, col)` is Table 3 at `(row', col')`, where `row' = 10 − row` for the bottom corners and
//! `col' = 10 − col` for the right corners ([`concentration_percent`]). So the centre gets 25%
//! of each odor and the four percentages at a pixel sum to 100–105%. Table 4
//! ([`LATENCY_POOL_TOP_LEFT_PERCENT`], as printed, "60 70" in row 3 included) is mirrored the
//! same way: at concentration `f` with pool value `g`, the `floor(f·150)` activated and
//! `floor(f·75)` inhibited cells kept are drawn at random from the odor's `floor(g·150)`
//! (`floor(g·75)`) shortest-latency cells, independently for each trajectory, and their rates
//! are jittered by U{−1, 0, +1} Hz ([`mixture`]). The corners themselves
//! are the pure odors, unjittered.
//!
//! **Trajectories.** Not given in the paper; here 8 boustrophedon (serpentine) scans, one from
//! each corner row-wise and one column-wise ([`trajectories`]). With the learned odors on the top
//! edge, the 4 row-wise scans (trajectories 0–3) present L and M 10 s apart and the 4 column-wise
//! scans (4–7) 110 s apart, matching the two groups of 4 of Fig. 5—S2B ("in one group the two
//! learned odors are presented further apart in time"). Each pixel is presented for 1 s, and
//! each trajectory is preceded by 2 s of baseline: 8 × (2 + 121) s = 984 s.
//!
//! **Correlated subspace (Fig. 6).** Adjacent corners share a fraction (default one half) of their
//! activated and of their inhibited MCs; diagonal corners share none. The four shared blocks form
//! a ring TL–TR–BR–BL–TL, so at one half every cell of a corner is shared with one neighbour. Shared
//! MCs are shared identities only: each odor draws its own increment, latency and τ for them.
//! This gives adjacent-pair input correlations of about 0.39 (target 0.27–0.44), diagonal ≈ 0.
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_stimuli::odor::{OdorParams, input_correlation};
//! use engram_stimuli::odor_space::{Corner, OdorSubspace, concentration_percent};
//!
//! let params = OdorParams::default().check().unwrap();
//! let space = OdorSubspace::random(&params, 9);
//! assert_eq!(&space.mixture(0, 0, 0), space.corner(Corner::TopLeft));
//! assert_eq!(concentration_percent(Corner::BottomRight, 10, 10), 100);
//! assert_eq!(concentration_percent(Corner::TopLeft, 5, 5), 25);
//! let centre = space.mixture(5, 5, 0);
//! assert!((135..=165).contains(&centre.activated().len()));
//! ```

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::rng::{component_id, stream};
use engram_core::time::Clock;
use rand::seq::index::sample;
use serde::{Deserialize, Serialize};

use crate::odor::{MixtureComponent, Odor, OdorParams, draw_cells, mixture};
use crate::odor_schedule::{OdorSchedule, Presentation};

/// Side of the odor grid (11 pixels).
pub const GRID_SIDE: usize = 11;

/// Number of trajectories through the grid.
pub const N_TRAJECTORIES: usize = 8;

/// Table 3 of the paper, as printed: percentage of the top-left pure odor's 150 activated MCs
/// active at each pixel (`[row][col]`, row 0 = top edge, col 0 = left edge).
pub const CONCENTRATION_TOP_LEFT_PERCENT: [[u8; GRID_SIDE]; GRID_SIDE] = [
    [100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0],
    [90, 90, 80, 70, 60, 50, 40, 30, 15, 5, 0],
    [80, 80, 70, 60, 50, 40, 35, 25, 15, 5, 0],
    [70, 70, 60, 50, 50, 35, 30, 20, 15, 5, 0],
    [60, 60, 50, 50, 40, 30, 25, 20, 15, 5, 0],
    [50, 50, 40, 35, 30, 25, 25, 15, 10, 5, 0],
    [40, 40, 35, 30, 25, 25, 15, 10, 10, 5, 0],
    [30, 30, 25, 20, 20, 15, 10, 10, 5, 5, 0],
    [20, 15, 15, 15, 15, 10, 10, 5, 5, 5, 0],
    [10, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

/// Table 4 of the paper, as printed (including "60 70" in row 2): percentage of the top-left
/// pure odor's activated MCs, in order of shortest latency, eligible at each pixel.
pub const LATENCY_POOL_TOP_LEFT_PERCENT: [[u8; GRID_SIDE]; GRID_SIDE] = [
    [100, 100, 100, 90, 80, 70, 60, 50, 40, 30, 0],
    [100, 100, 100, 90, 80, 70, 60, 50, 35, 25, 0],
    [100, 100, 90, 60, 70, 60, 55, 45, 35, 25, 0],
    [90, 90, 80, 70, 70, 55, 50, 40, 35, 25, 0],
    [80, 80, 70, 70, 60, 50, 45, 40, 35, 25, 0],
    [70, 70, 60, 55, 50, 45, 45, 35, 30, 25, 0],
    [60, 60, 55, 50, 45, 45, 35, 30, 30, 25, 0],
    [50, 50, 45, 40, 40, 35, 30, 30, 25, 25, 0],
    [40, 35, 35, 35, 35, 30, 30, 25, 25, 25, 0],
    [30, 25, 25, 25, 25, 25, 25, 25, 25, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

/// A corner of the grid, i.e. one of the four pure odors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Corner {
    /// Pixel (0, 0); learned odor L by default.
    TopLeft,
    /// Pixel (0, 10); learned odor M by default.
    TopRight,
    /// Pixel (10, 0); novel odor N by default.
    BottomLeft,
    /// Pixel (10, 10); novel odor O by default.
    BottomRight,
}

impl Corner {
    /// The four corners, in the order used for arrays indexed by corner.
    pub const ALL: [Corner; 4] = [Corner::TopLeft, Corner::TopRight, Corner::BottomLeft, Corner::BottomRight];

    /// Index in [`Corner::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The corner's pixel `(row, col)`.
    pub fn pixel(self) -> (usize, usize) {
        let last = GRID_SIDE - 1;
        match self {
            Corner::TopLeft => (0, 0),
            Corner::TopRight => (0, last),
            Corner::BottomLeft => (last, 0),
            Corner::BottomRight => (last, last),
        }
    }

    /// `(row, col)` of the top-left tables that applies to this corner at `(row, col)`.
    fn mirror(self, row: usize, col: usize) -> (usize, usize) {
        assert!(row < GRID_SIDE && col < GRID_SIDE, "pixel ({row}, {col}) outside the 11 × 11 grid");
        let last = GRID_SIDE - 1;
        match self {
            Corner::TopLeft => (row, col),
            Corner::TopRight => (row, last - col),
            Corner::BottomLeft => (last - row, col),
            Corner::BottomRight => (last - row, last - col),
        }
    }
}

/// Concentration (%) of corner `corner`'s pure odor at pixel `(row, col)`: Table 3 mirrored to
/// the corner. This is the regression target of the concentration readout (Fig. 5D–F).
pub fn concentration_percent(corner: Corner, row: usize, col: usize) -> u8 {
    let (r, c) = corner.mirror(row, col);
    CONCENTRATION_TOP_LEFT_PERCENT[r][c]
}

/// Latency pool (%) of corner `corner`'s pure odor at pixel `(row, col)`: Table 4 mirrored.
pub fn latency_pool_percent(corner: Corner, row: usize, col: usize) -> u8 {
    let (r, c) = corner.mirror(row, col);
    LATENCY_POOL_TOP_LEFT_PERCENT[r][c]
}

/// The concentrations (%) of the four pure odors at a pixel, indexed as [`Corner::ALL`].
pub fn concentrations_percent(row: usize, col: usize) -> [u8; 4] {
    Corner::ALL.map(|c| concentration_percent(c, row, col))
}

/// The 8 trajectories, each a list of the 121 pixels `(row, col)` in presentation order:
/// serpentine scans starting at TL, TR, BL, BR row-wise (0–3), then the same column-wise (4–7).
pub fn trajectories() -> Vec<Vec<(usize, usize)>> {
    let last = GRID_SIDE - 1;
    let mut out = Vec::with_capacity(N_TRAJECTORIES);
    for column_wise in [false, true] {
        for corner in Corner::ALL {
            let (r0, c0) = corner.pixel();
            let mut path = Vec::with_capacity(GRID_SIDE * GRID_SIDE);
            for outer in 0..GRID_SIDE {
                // Lines (rows or columns) move away from the start corner; the direction along
                // a line alternates, starting away from the start corner.
                let forward = outer % 2 == 0;
                for inner in 0..GRID_SIDE {
                    let along = if forward { inner } else { last - inner };
                    let (row, col) = if column_wise {
                        let col = if c0 == 0 { outer } else { last - outer };
                        let row = if r0 == 0 { along } else { last - along };
                        (row, col)
                    } else {
                        let row = if r0 == 0 { outer } else { last - outer };
                        let col = if c0 == 0 { along } else { last - along };
                        (row, col)
                    };
                    path.push((row, col));
                }
            }
            out.push(path);
        }
    }
    out
}

/// Timing of the subspace presentations. Defaults: 1 s per pixel, 2 s of baseline before each
/// trajectory, rates updated every 1 ms (984 s in all).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubspaceTimingParams {
    /// Presentation of each pixel, ms (> 0). Default 1000.
    pub pixel_ms: f64,
    /// Baseline before each trajectory, ms (≥ 0). Default 2000.
    pub baseline_before_trajectory_ms: f64,
    /// Interval at which decaying rates are recomputed, ms (> 0). Default 1.
    pub update_interval_ms: f64,
}

impl Default for SubspaceTimingParams {
    fn default() -> Self {
        Self { pixel_ms: 1000.0, baseline_before_trajectory_ms: 2000.0, update_interval_ms: 1.0 }
    }
}

impl Params for SubspaceTimingParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("pixel_ms", self.pixel_ms)?;
        non_negative("baseline_before_trajectory_ms", self.baseline_before_trajectory_ms)?;
        positive("update_interval_ms", self.update_interval_ms)
    }
}

/// One pixel presentation of a subspace schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubspacePresentation {
    /// Trajectory (0..8).
    pub trajectory: usize,
    /// Pixel row (0 = top).
    pub row: usize,
    /// Pixel column (0 = left).
    pub col: usize,
    /// Onset, ms.
    pub onset_ms: f64,
    /// Duration, ms.
    pub duration_ms: f64,
    /// Concentrations (%) of the four pure odors, indexed as [`Corner::ALL`].
    pub concentration_percent: [u8; 4],
}

/// The 11 × 11 odor subspace spanned by four pure odors. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OdorSubspace {
    corners: [Odor; 4],
    rate_jitter_hz: u32,
    seed: u64,
}

impl OdorSubspace {
    /// A subspace on the given pure odors (indexed as [`Corner::ALL`]; all with the same MC count
    /// and baseline). Mixture draws come from `seed`; kept cells' rates are jittered by
    /// U{−`rate_jitter_hz`..`rate_jitter_hz`} Hz (paper: 1).
    pub fn new(corners: [Odor; 4], rate_jitter_hz: u32, seed: u64) -> Result<Self, ParamError> {
        if let Some(k) = corners.iter().position(|o| !o.is_compatible(&corners[0])) {
            return Err(ParamError::new(
                format!("corners[{k}]"),
                "an odor",
                "the same n_mitral_cells and baseline_rate_hz as corners[0]",
            ));
        }
        Ok(Self { corners, rate_jitter_hz, seed })
    }

    /// Four independent (uncorrelated) random pure odors, rate jitter 1 Hz. Corner `k` comes from
    /// `stream(seed, component_id("odor_subspace.corner"), k)`.
    pub fn random(params: &Checked<OdorParams>, seed: u64) -> Self {
        let corners = [0u64, 1, 2, 3]
            .map(|k| Odor::random_with_rng(params, &mut stream(seed, component_id("odor_subspace.corner"), k)));
        Self::new(corners, 1, seed).expect("same parameters")
    }

    /// The correlated subspace of Fig. 6: adjacent corners share `shared_fraction` (in [0, 0.5];
    /// paper 0.5) of their activated and of their inhibited MCs, diagonal corners none (see the
    /// [module docs](self)). Identities come from the stream
    /// `stream(seed, component_id("odor_subspace.correlated"), 0)`, each corner's rates from
    /// chunk `1 + k`.
    pub fn correlated(params: &Checked<OdorParams>, shared_fraction: f64, seed: u64) -> Result<Self, ParamError> {
        if !(0.0..=0.5).contains(&shared_fraction) {
            return Err(ParamError::new("shared_fraction", shared_fraction, "a fraction in [0, 0.5]"));
        }
        // Ring of adjacency: TL – TR – BR – BL – TL (indices into Corner::ALL).
        const RING: [usize; 4] = [0, 1, 3, 2];
        // Block sizes for n cells: blocks between ring neighbours alternate ceil/floor of s·n, so
        // every corner gets ceil + floor ≤ n shared cells; the rest are private.
        let blocks = |n: usize| {
            let x = shared_fraction * n as f64;
            let (hi, lo) = (x.ceil() as usize, x.floor() as usize);
            [hi, lo, hi, lo]
        };
        let (act_blocks, inh_blocks) = (blocks(params.n_activated), blocks(params.n_inhibited));
        let private = |n: usize, b: &[usize; 4]| n - b[0] - b[1];
        let (act_private, inh_private) =
            (private(params.n_activated, &act_blocks), private(params.n_inhibited, &inh_blocks));
        let n_act_total: usize = act_blocks.iter().sum::<usize>() + 4 * act_private;
        let n_inh_total: usize = inh_blocks.iter().sum::<usize>() + 4 * inh_private;
        let [start, end] = params.mitral_cell_range.unwrap_or([0, params.n_mitral_cells]);
        if n_act_total + n_inh_total > end - start {
            return Err(ParamError::new(
                "n_inhibited",
                params.n_inhibited,
                format!("a total of at most {} distinct MCs for the four correlated odors", end - start),
            ));
        }
        let mut rng = stream(seed, component_id("odor_subspace.correlated"), 0);
        let ids: Vec<u32> =
            sample(&mut rng, end - start, n_act_total + n_inh_total).into_iter().map(|i| (start + i) as u32).collect();
        let (act_ids, inh_ids) = ids.split_at(n_act_total);
        // Cells of each corner: blocks shared with its two ring neighbours plus private ones.
        let assign = |pool: &[u32], b: &[usize; 4], n_private: usize| {
            let mut cells: [Vec<u32>; 4] = Default::default();
            let mut at = 0;
            for (k, &size) in b.iter().enumerate() {
                let block = &pool[at..at + size];
                at += size;
                cells[RING[k]].extend_from_slice(block);
                cells[RING[(k + 1) % 4]].extend_from_slice(block);
            }
            for c in &mut cells {
                c.extend_from_slice(&pool[at..at + n_private]);
                at += n_private;
            }
            cells
        };
        let act = assign(act_ids, &act_blocks, act_private);
        let inh = assign(inh_ids, &inh_blocks, inh_private);
        let corners = [0usize, 1, 2, 3].map(|k| {
            let mut rng = stream(seed, component_id("odor_subspace.correlated"), 1 + k as u64);
            draw_cells(params, &act[k], &inh[k], &mut rng)
        });
        Self::new(corners, 1, seed)
    }

    /// The pure odor at a corner.
    pub fn corner(&self, corner: Corner) -> &Odor {
        &self.corners[corner.index()]
    }

    /// The four pure odors, indexed as [`Corner::ALL`].
    pub fn corners(&self) -> &[Odor; 4] {
        &self.corners
    }

    /// The mixture at pixel `(row, col)` as drawn for `trajectory` (draws are independent per
    /// trajectory and pixel, from `stream(seed, component_id("odor_subspace.mixture"),
    /// trajectory · 121 + row · 11 + col)`). Corner pixels are the pure odors.
    pub fn mixture(&self, row: usize, col: usize, trajectory: usize) -> Odor {
        let components: Vec<MixtureComponent<'_>> = Corner::ALL
            .iter()
            .map(|&c| MixtureComponent {
                odor: &self.corners[c.index()],
                fraction: concentration_percent(c, row, col) as f64 / 100.0,
                pool_fraction: latency_pool_percent(c, row, col) as f64 / 100.0,
            })
            .collect();
        let chunk = (trajectory * GRID_SIDE * GRID_SIDE + row * GRID_SIDE + col) as u64;
        let mut rng = stream(self.seed, component_id("odor_subspace.mixture"), chunk);
        mixture(&components, self.rate_jitter_hz, &mut rng).expect("fractions from the tables are valid")
    }

    /// The full presentation schedule: the 8 [`trajectories`], each preceded by
    /// `baseline_before_trajectory_ms` of baseline, each pixel presented for `pixel_ms` with
    /// the mixture drawn for that trajectory. Returns the schedule (odor `k` of the schedule is
    /// presentation `k`) and the list of presentations.
    pub fn presentation_schedule(
        &self,
        timing: &Checked<SubspaceTimingParams>,
        clock: Clock,
    ) -> Result<(OdorSchedule, Vec<SubspacePresentation>), ParamError> {
        let mut odors = Vec::with_capacity(N_TRAJECTORIES * GRID_SIDE * GRID_SIDE);
        let mut list = Vec::with_capacity(odors.capacity());
        let mut t_ms = 0.0;
        for (trajectory, path) in trajectories().into_iter().enumerate() {
            t_ms += timing.baseline_before_trajectory_ms;
            for (row, col) in path {
                odors.push(self.mixture(row, col, trajectory));
                list.push(SubspacePresentation {
                    trajectory,
                    row,
                    col,
                    onset_ms: t_ms,
                    duration_ms: timing.pixel_ms,
                    concentration_percent: concentrations_percent(row, col),
                });
                t_ms += timing.pixel_ms;
            }
        }
        let presentations: Vec<Presentation> = list
            .iter()
            .enumerate()
            .map(|(k, p)| Presentation { odor: k, onset_ms: p.onset_ms, duration_ms: p.duration_ms })
            .collect();
        let schedule = OdorSchedule::new(odors, &presentations, timing.update_interval_ms, clock)?;
        Ok((schedule, list))
    }
}
