//! The connectivity of the authors' networks next to engram's networks of the same structures
//! and variants ([`network_structure`]): degrees per pathway, how the assemblies sit on their
//! odors' inputs, the within-assembly wiring after rewiring and the per-assembly α, β, γ.
//!
//! engram's networks are drawn as `reproduce dp` draws them (its seed, odors and network
//! seeds), `networks_per_structure` per structure A–D, full size.

use engram_core::error::EngramError;
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::{Structure, Variant};
use engram_models::dp::structure::{NetworkStructure, network_structure};
use serde::{Deserialize, Serialize};

use crate::dp::basic::VARIANTS;
use crate::dp::instance_config;
use crate::jobs::Spread;

/// One network's structure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureRow {
    /// `authors` or `engram`.
    pub source: String,
    /// `A1`, …
    pub network: String,
    /// `rand`, `scaled_i`, `tuned_i` or `tuned_ei`.
    pub variant: String,
    /// The measures.
    pub structure: NetworkStructure,
}

/// Per source and variant: every measure averaged over the networks (each field, SDs and
/// extremes included, is the mean of the networks' values).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureMeans {
    /// `authors` or `engram`.
    pub source: String,
    /// The variant's name.
    pub variant: String,
    /// The networks averaged.
    pub networks: Vec<String>,
    /// The averaged measures.
    pub structure: NetworkStructure,
}

/// Leaf-wise mean of JSON values of one shape (numbers averaged, `null` where any is
/// `null`; other leaves taken from the first).
fn mean_value(values: &[serde_json::Value]) -> serde_json::Value {
    use serde_json::Value;
    match &values[0] {
        Value::Object(first) => Value::Object(
            first
                .keys()
                .map(|k| {
                    let children: Vec<Value> = values.iter().map(|v| v[k].clone()).collect();
                    (k.clone(), mean_value(&children))
                })
                .collect(),
        ),
        Value::Number(_) => {
            let xs: Option<Vec<f64>> = values.iter().map(Value::as_f64).collect();
            xs.and_then(|xs| serde_json::Number::from_f64(xs.iter().sum::<f64>() / xs.len() as f64))
                .map_or(Value::Null, Value::Number)
        }
        other => other.clone(),
    }
}

/// The mean structure of `rows` (all of one shape: `inhibition` present in all or none).
pub fn mean_structure(rows: &[&NetworkStructure]) -> Result<NetworkStructure, EngramError> {
    let values: Vec<serde_json::Value> =
        rows.iter().map(|s| serde_json::to_value(s).expect("a structure serialises")).collect();
    if values.is_empty() {
        return Err(EngramError::Other("mean_structure: no networks".into()));
    }
    let mean = mean_value(&values);
    serde_json::from_value(mean).map_err(|e| EngramError::Other(format!("mean_structure: {e}")))
}

/// The sources of structure rows, in table order: the authors' files, engram's own networks,
/// and the authors' rand networks rewired by engram with the same factor per assembly
/// (`rewired_factors`) or the authors' fixed counts (`rewired_counts`).
pub const SOURCES: [&str; 4] = ["authors", "engram", "rewired_factors", "rewired_counts"];

/// The means per (source, variant) of `rows`, in the order of [`SOURCES`], variants in Table
/// 5's order.
pub fn structure_means(rows: &[StructureRow]) -> Result<Vec<StructureMeans>, EngramError> {
    let mut out = Vec::new();
    for source in SOURCES {
        for v in VARIANTS {
            let of: Vec<&StructureRow> = rows.iter().filter(|r| r.source == source && r.variant == v.name()).collect();
            if of.is_empty() {
                continue;
            }
            out.push(StructureMeans {
                source: source.into(),
                variant: v.name().into(),
                networks: of.iter().map(|r| r.network.clone()).collect(),
                structure: mean_structure(&of.iter().map(|r| &r.structure).collect::<Vec<_>>())?,
            });
        }
    }
    Ok(out)
}

/// The structure of loaded networks: `nets[k]` is network `labels[loads[k].0]` in variant
/// `loads[k].1`, measured against that network's rand entry; rows labelled `source`.
pub fn authors_structures(
    source: &str,
    labels: &[String],
    loads: &[(usize, Variant)],
    nets: &[DpConnectivity],
    activated: &[Vec<u32>],
) -> Result<Vec<StructureRow>, EngramError> {
    loads
        .iter()
        .zip(nets)
        .map(|(&(i, variant), net)| {
            let rand = loads
                .iter()
                .position(|&(j, v)| j == i && v == Variant::Rand)
                .map(|k| &nets[k])
                .ok_or_else(|| EngramError::Other(format!("network {}: no rand network loaded", labels[i])))?;
            Ok(StructureRow {
                source: source.into(),
                network: labels[i].clone(),
                variant: variant.name().into(),
                structure: network_structure(rand, net, activated)?,
            })
        })
        .collect()
}

/// engram's networks as `reproduce dp --seed seed --networks networks_per_structure` draws
/// them (full size), every variant of Table 5; the networks are spread as `spread` says.
pub fn engram_structures(
    seed: u64,
    networks_per_structure: usize,
    spread: &Spread,
    progress: bool,
) -> Result<Vec<StructureRow>, EngramError> {
    let odors = odor_sets(&instance_config(Structure::A, 1), seed)?;
    let activated: Vec<Vec<u32>> =
        odors.learned.iter().map(|o| o.activated().iter().map(|a| a.mitral_cell).collect()).collect();
    let specs: Vec<(Structure, u64)> = Structure::FITTED
        .iter()
        .enumerate()
        .flat_map(|(s, &st)| (0..networks_per_structure as u64).map(move |k| (st, 1 + k + 10 * s as u64)))
        .collect();
    let per_network = spread.run_jobs("dp-authors: engram's networks", &specs, progress, |&(structure, k)| {
        let config = instance_config(structure, 1);
        let network_seed = seed.wrapping_mul(1000).wrapping_add(k);
        let base = DpConnectivity::generate(&config, &odors.learned, network_seed)?;
        let label = format!("{}{}", structure.name(), network_seed % 100);
        VARIANTS
            .iter()
            .map(|&variant| {
                let (net, _) = base.with_variant(&config, variant, network_seed)?;
                Ok(StructureRow {
                    source: "engram".into(),
                    network: label.clone(),
                    variant: variant.name().into(),
                    structure: network_structure(&base, &net, &activated)?,
                })
            })
            .collect::<Result<Vec<_>, EngramError>>()
    })?;
    Ok(per_network.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engram_models::dp::structure::Spread;

    #[test]
    fn the_mean_structure_averages_every_number() {
        let config = instance_config(Structure::A, 8);
        let odors = odor_sets(&config, 3).unwrap();
        let activated: Vec<Vec<u32>> =
            odors.learned.iter().map(|o| o.activated().iter().map(|a| a.mitral_cell).collect()).collect();
        let s: Vec<NetworkStructure> = [5, 6]
            .iter()
            .map(|&seed| {
                let base = DpConnectivity::generate(&config, &odors.learned, seed).unwrap();
                let (net, _) = base.with_variant(&config, Variant::TUNED_EI, seed).unwrap();
                network_structure(&base, &net, &activated).unwrap()
            })
            .collect();
        let m = mean_structure(&[&s[0], &s[1]]).unwrap();
        let avg = |f: fn(&NetworkStructure) -> f64| (f(&s[0]) + f(&s[1])) / 2.0;
        assert_eq!(m.e_e.factor.mean, avg(|x| x.e_e.factor.mean));
        assert_eq!(m.assembly_input.member_odor_inputs.sd, avg(|x| x.assembly_input.member_odor_inputs.sd));
        let gamma = |x: &NetworkStructure| x.inhibition.unwrap().e_i.factor.max;
        assert_eq!(m.inhibition.unwrap().e_i.factor.max, (gamma(&s[0]) + gamma(&s[1])) / 2.0);
        assert_eq!(m.degrees["ob_e"].max_multiplicity, s[0].degrees["ob_e"].max_multiplicity);
        let one = Spread::of(&[1.0]);
        assert!(one.sd.is_nan());
    }
}
