//! The built-in GPU model catalogue: current data-centre GPUs with their MIG profiles.
//!
//! Figures come from NVIDIA's product data sheets (memory, max TDP, architecture) and, for the
//! MIG-capable models, from the "Supported MIG Profiles" tables of the NVIDIA Multi-Instance GPU
//! User Guide (docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html), whose
//! placements are what `nvidia-smi mig -lgipp` prints: `{0,2,4}:2` means the profile may start at
//! memory slice 0, 2 or 4 and takes 2 memory slices.
//!
//! Names are what NVML (`nvmlDeviceGetName`) and `nvidia-smi --query-gpu=name` report; aliases
//! cover the short names people type and the other spellings drivers have used.
//!
//! Stores do not read this table: they get the catalogue from migrations, frozen as data
//! (`store::migrations`, the seed of schema version 2). A change here is shipped as a new
//! migration; a test fails until a store migrated from scratch holds exactly this table.

use crate::gpu::mig::MigProfile;

/// A profile as written in the tables below: name, compute slices, memory slices, starts, limit.
struct ProfileRow(&'static str, u32, u32, &'static [u32], Option<u32>);

/// A model of the catalogue, as shipped.
pub struct BuiltinModel {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub architecture: &'static str,
    pub memory_mib: i64,
    pub tdp_w: i64,
    profiles: &'static [ProfileRow],
}

impl BuiltinModel {
    pub fn mig_capable(&self) -> bool {
        !self.profiles.is_empty()
    }

    /// The model's GPU-instance profiles, in the catalogue's order (small to large).
    pub fn mig_profiles(&self) -> Vec<MigProfile> {
        self.profiles
            .iter()
            .map(|row| MigProfile {
                name: row.0.to_string(),
                compute_slices: row.1,
                memory_slices: row.2,
                placements: row.3.to_vec(),
                max_instances: row.4,
            })
            .collect()
    }
}

const ALL_7: &[u32] = &[0, 1, 2, 3, 4, 5, 6];
const EVEN_4: &[u32] = &[0, 2, 4, 6];
const EVEN_3: &[u32] = &[0, 2, 4];
const HALVES: &[u32] = &[0, 4];
const FIRST: &[u32] = &[0];

/// The seven-compute-slice, eight-memory-slice layout shared by A100 and H100/H200 (MIG user
/// guide, A100/H100/H200 profile tables); only the memory in each name changes with the board.
/// `+me` (media extensions) profiles may exist once per GPU.
macro_rules! ga100_gh100_profiles {
    ($one:literal, $one_me:literal, $one_double:literal, $two:literal, $three:literal, $four:literal, $seven:literal) => {
        &[
            ProfileRow($one, 1, 1, ALL_7, None),
            ProfileRow($one_me, 1, 1, ALL_7, Some(1)),
            ProfileRow($one_double, 1, 2, EVEN_4, None),
            ProfileRow($two, 2, 2, EVEN_3, None),
            ProfileRow($three, 3, 4, HALVES, None),
            ProfileRow($four, 4, 4, FIRST, None),
            ProfileRow($seven, 7, 8, FIRST, None),
        ]
    };
}

const A100_40GB_PROFILES: &[ProfileRow] = ga100_gh100_profiles!(
    "1g.5gb",
    "1g.5gb+me",
    "1g.10gb",
    "2g.10gb",
    "3g.20gb",
    "4g.20gb",
    "7g.40gb"
);
const A100_80GB_PROFILES: &[ProfileRow] = ga100_gh100_profiles!(
    "1g.10gb",
    "1g.10gb+me",
    "1g.20gb",
    "2g.20gb",
    "3g.40gb",
    "4g.40gb",
    "7g.80gb"
);
const H100_80GB_PROFILES: &[ProfileRow] = A100_80GB_PROFILES;
const H100_94GB_PROFILES: &[ProfileRow] = ga100_gh100_profiles!(
    "1g.12gb",
    "1g.12gb+me",
    "1g.24gb",
    "2g.24gb",
    "3g.47gb",
    "4g.47gb",
    "7g.94gb"
);
const H200_141GB_PROFILES: &[ProfileRow] = ga100_gh100_profiles!(
    "1g.18gb",
    "1g.18gb+me",
    "1g.35gb",
    "2g.35gb",
    "3g.71gb",
    "4g.71gb",
    "7g.141gb"
);
/// A30: four compute and four memory slices (MIG user guide, A30 profile table).
const A30_PROFILES: &[ProfileRow] = &[
    ProfileRow("1g.6gb", 1, 1, &[0, 1, 2, 3], None),
    ProfileRow("1g.6gb+me", 1, 1, &[0, 1, 2, 3], Some(1)),
    ProfileRow("2g.12gb", 2, 2, &[0, 2], None),
    ProfileRow("2g.12gb+me", 2, 2, &[0, 2], Some(1)),
    ProfileRow("4g.24gb", 4, 4, &[0], None),
];

const GIB: i64 = 1024;

/// Memory and max TDP from each product's data sheet (for boards sold with a TDP range, the top).
pub const BUILTIN_MODELS: &[BuiltinModel] = &[
    BuiltinModel {
        name: "NVIDIA A100-SXM4-40GB",
        aliases: &["A100-40GB", "A100-SXM4-40GB", "A100 40GB", "A100"],
        architecture: "Ampere",
        memory_mib: 40 * GIB,
        tdp_w: 400,
        profiles: A100_40GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA A100-PCIE-40GB",
        aliases: &["A100-PCIE-40GB", "A100-40GB-PCIe", "A100 PCIe 40GB"],
        architecture: "Ampere",
        memory_mib: 40 * GIB,
        tdp_w: 250,
        profiles: A100_40GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA A100-SXM4-80GB",
        aliases: &[
            "A100-80GB",
            "A100-SXM4-80GB",
            "A100 80GB SXM",
            "A100-80GB-SXM",
        ],
        architecture: "Ampere",
        memory_mib: 80 * GIB,
        tdp_w: 400,
        profiles: A100_80GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA A100 80GB PCIe",
        aliases: &[
            "A100-80GB-PCIe",
            "A100-PCIE-80GB",
            "NVIDIA A100-PCIE-80GB",
            "A100 PCIe 80GB",
        ],
        architecture: "Ampere",
        memory_mib: 80 * GIB,
        tdp_w: 300,
        profiles: A100_80GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA H100 80GB HBM3",
        aliases: &[
            "H100-80GB",
            "H100-SXM5-80GB",
            "H100-SXM",
            "H100 SXM",
            "H100",
        ],
        architecture: "Hopper",
        memory_mib: 80 * GIB,
        tdp_w: 700,
        profiles: H100_80GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA H100 PCIe",
        aliases: &[
            "H100-PCIE",
            "H100-PCIe-80GB",
            "H100-80GB-PCIe",
            "H100 PCIe 80GB",
        ],
        architecture: "Hopper",
        memory_mib: 80 * GIB,
        tdp_w: 350,
        profiles: H100_80GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA H100 NVL",
        aliases: &["H100-NVL", "H100-94GB", "H100 NVL 94GB", "H100-NVL-94GB"],
        architecture: "Hopper",
        memory_mib: 94 * GIB,
        tdp_w: 400,
        profiles: H100_94GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA H200",
        aliases: &["H200", "H200-141GB", "H200-SXM5-141GB", "H200 SXM"],
        architecture: "Hopper",
        memory_mib: 141 * GIB,
        tdp_w: 700,
        profiles: H200_141GB_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA A30",
        aliases: &["A30", "A30-24GB"],
        architecture: "Ampere",
        memory_mib: 24 * GIB,
        tdp_w: 165,
        profiles: A30_PROFILES,
    },
    BuiltinModel {
        name: "NVIDIA L40S",
        aliases: &["L40S", "L40S-48GB"],
        architecture: "Ada Lovelace",
        memory_mib: 48 * GIB,
        tdp_w: 350,
        profiles: &[],
    },
    BuiltinModel {
        name: "NVIDIA L4",
        aliases: &["L4", "L4-24GB"],
        architecture: "Ada Lovelace",
        memory_mib: 24 * GIB,
        tdp_w: 72,
        profiles: &[],
    },
    BuiltinModel {
        name: "NVIDIA A10",
        aliases: &["A10", "A10-24GB"],
        architecture: "Ampere",
        memory_mib: 24 * GIB,
        tdp_w: 150,
        profiles: &[],
    },
    BuiltinModel {
        name: "Tesla T4",
        aliases: &["T4", "NVIDIA T4", "T4-16GB"],
        architecture: "Turing",
        memory_mib: 16 * GIB,
        tdp_w: 70,
        profiles: &[],
    },
    BuiltinModel {
        name: "Tesla V100-SXM2-32GB",
        aliases: &[
            "V100",
            "V100-32GB",
            "V100-SXM2-32GB",
            "NVIDIA V100-SXM2-32GB",
        ],
        architecture: "Volta",
        memory_mib: 32 * GIB,
        tdp_w: 300,
        profiles: &[],
    },
];

/// A built-in model by exact NVML name or alias, ignoring case.
pub fn builtin(name: &str) -> Option<&'static BuiltinModel> {
    BUILTIN_MODELS.iter().find(|m| {
        m.name.eq_ignore_ascii_case(name) || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_aliases_are_unique_ignoring_case() {
        let mut seen = HashSet::new();
        for model in BUILTIN_MODELS {
            for name in std::iter::once(&model.name).chain(model.aliases) {
                assert!(seen.insert(name.to_lowercase()), "duplicate {name}");
            }
        }
    }

    #[test]
    fn every_mig_profile_fits_its_gpu_at_every_placement() {
        for model in BUILTIN_MODELS.iter().filter(|m| m.mig_capable()) {
            let geometry = crate::gpu::mig::Geometry::of(&model.mig_profiles());
            for p in model.mig_profiles() {
                assert!(p.compute_slices <= geometry.compute_slices, "{}", p.name);
                for start in &p.placements {
                    assert!(
                        start + p.memory_slices <= geometry.memory_slices,
                        "{}",
                        p.name
                    );
                }
            }
        }
    }

    #[test]
    fn short_names_resolve() {
        assert_eq!(builtin("h100-80gb").unwrap().name, "NVIDIA H100 80GB HBM3");
        assert_eq!(
            builtin("NVIDIA A100-PCIE-80GB").unwrap().name,
            "NVIDIA A100 80GB PCIe"
        );
        assert!(builtin("B200").is_none());
    }
}
