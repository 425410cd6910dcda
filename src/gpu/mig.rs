//! The MIG placement engine: decides whether GPU instances fit a GPU as `nvidia-smi mig -cgi`
//! would, from the model's profile table (see `catalog.rs` for the source of the figures).
//!
//! A GPU has a number of compute slices (7 on A100/H100/H200, 4 on A30) and memory slices (8 or
//! 4). An instance occupies `memory_slices` consecutive memory slices starting at one of its
//! profile's allowed placements, and `compute_slices` of the compute slices. Instances may not
//! overlap in memory, their compute slices may not add up past the GPU's, and a profile with a
//! limit (the `+me` media-extension profiles) may appear at most that many times.
//!
//! Existing instances never move, so, as with the driver, creation order matters: a layout such
//! as 3g+2g+2g is reached by creating the largest profile first (as NVIDIA's mig-parted does).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A GPU-instance profile of one model, as stored in `gpu_models.mig_profiles` (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigProfile {
    pub name: String,
    pub compute_slices: u32,
    pub memory_slices: u32,
    /// Memory slices an instance of this profile may start at.
    pub placements: Vec<u32>,
    /// At most this many instances per GPU, where the profile has such a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<u32>,
}

/// How many compute and memory slices a GPU has, derived from its profile table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub compute_slices: u32,
    pub memory_slices: u32,
}

impl Geometry {
    /// The whole-GPU profile sets the size: the most compute slices and the farthest memory end.
    pub fn of(profiles: &[MigProfile]) -> Geometry {
        Geometry {
            compute_slices: profiles.iter().map(|p| p.compute_slices).max().unwrap_or(0),
            memory_slices: profiles
                .iter()
                .flat_map(|p| p.placements.iter().map(move |s| s + p.memory_slices))
                .max()
                .unwrap_or(0),
        }
    }
}

/// An instance on a GPU: its profile and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub profile: String,
    pub start: u32,
    pub memory_slices: u32,
    pub compute_slices: u32,
}

impl Placed {
    fn end(&self) -> u32 {
        self.start + self.memory_slices
    }
    fn overlaps(&self, start: u32, size: u32) -> bool {
        start < self.end() && self.start < start + size
    }
}

/// Why a layout was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FitError {
    /// The model has no such profile.
    UnknownProfile {
        profile: String,
        available: Vec<String>,
    },
    /// Only `placed` of `requested` instances fit; `free` says what is left after them.
    NoRoom {
        profile: String,
        requested: u32,
        placed: u32,
        free: FreeSpace,
    },
}

/// What is left free on a GPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSpace {
    pub geometry: Geometry,
    pub free_memory_slices: Vec<u32>,
    pub free_compute_slices: u32,
    /// Profiles of which one more instance would still fit.
    pub fitting_profiles: Vec<String>,
}

impl fmt::Display for FreeSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slices = if self.free_memory_slices.is_empty() {
            "none".to_string()
        } else {
            self.free_memory_slices
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        write!(
            f,
            "free: {} of {} compute slices, memory slices {slices} ({} of {}); still fits: {}",
            self.free_compute_slices,
            self.geometry.compute_slices,
            self.free_memory_slices.len(),
            self.geometry.memory_slices,
            if self.fitting_profiles.is_empty() {
                "nothing".to_string()
            } else {
                self.fitting_profiles.join(", ")
            }
        )
    }
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::UnknownProfile { profile, available } => write!(
                f,
                "MIG profile '{profile}' does not exist for this GPU model (profiles: {})",
                available.join(", ")
            ),
            FitError::NoRoom {
                profile,
                requested,
                placed,
                free,
            } => {
                if *requested == 1 {
                    write!(f, "MIG profile '{profile}' does not fit; {free}")
                } else {
                    write!(
                        f,
                        "{requested} x MIG profile '{profile}' do not fit (only {placed} would); {free}"
                    )
                }
            }
        }
    }
}

/// Builds the placed instance for a stored one; None when its profile is not in the table.
pub fn placed(profiles: &[MigProfile], profile: &str, start: u32) -> Option<Placed> {
    let p = profiles.iter().find(|p| p.name == profile)?;
    Some(Placed {
        profile: p.name.clone(),
        start,
        memory_slices: p.memory_slices,
        compute_slices: p.compute_slices,
    })
}

/// Places `count` new instances of `profile` beside `existing`, all or none.
pub fn place(
    profiles: &[MigProfile],
    existing: &[Placed],
    profile: &str,
    count: u32,
) -> Result<Vec<Placed>, FitError> {
    let Some(wanted) = profiles.iter().find(|p| p.name == profile) else {
        return Err(FitError::UnknownProfile {
            profile: profile.to_string(),
            available: profiles.iter().map(|p| p.name.clone()).collect(),
        });
    };
    let geometry = Geometry::of(profiles);
    let mut layout = existing.to_vec();
    let mut new = Vec::new();
    for placed in 0..count {
        match next_start_with(geometry, wanted, &layout, Some(profiles)) {
            Some(start) => {
                let instance = Placed {
                    profile: wanted.name.clone(),
                    start,
                    memory_slices: wanted.memory_slices,
                    compute_slices: wanted.compute_slices,
                };
                layout.push(instance.clone());
                new.push(instance);
            }
            None => {
                return Err(FitError::NoRoom {
                    profile: profile.to_string(),
                    requested: count,
                    placed,
                    free: free_space(profiles, &layout),
                })
            }
        }
    }
    Ok(new)
}

/// Where one more instance of `profile` would go, if anywhere. Of the free placements, the one
/// that leaves the most room (the largest profiles still placeable) wins, highest start on a
/// tie, which keeps the low slices free for the profiles that can only start at 0.
fn next_start(geometry: Geometry, profile: &MigProfile, layout: &[Placed]) -> Option<u32> {
    next_start_with(geometry, profile, layout, None)
}

fn next_start_with(
    geometry: Geometry,
    profile: &MigProfile,
    layout: &[Placed],
    table: Option<&[MigProfile]>,
) -> Option<u32> {
    let used_compute: u32 = layout.iter().map(|p| p.compute_slices).sum();
    if used_compute + profile.compute_slices > geometry.compute_slices {
        return None;
    }
    if let Some(limit) = profile.max_instances {
        let same = layout.iter().filter(|p| p.profile == profile.name).count();
        if same >= limit as usize {
            return None;
        }
    }
    let free = profile.placements.iter().rev().copied().filter(|&start| {
        start + profile.memory_slices <= geometry.memory_slices
            && !layout
                .iter()
                .any(|p| p.overlaps(start, profile.memory_slices))
    });
    let Some(table) = table else {
        return free.into_iter().next();
    };
    // max_by_key keeps the last of equal keys; iterate low to high so ties go to the highest.
    free.collect::<Vec<_>>()
        .into_iter()
        .rev()
        .max_by_key(|&start| {
            let mut after = layout.to_vec();
            after.push(Placed {
                profile: profile.name.clone(),
                start,
                memory_slices: profile.memory_slices,
                compute_slices: profile.compute_slices,
            });
            room(geometry, table, &after)
        })
}

/// How much a layout still allows: the summed size of every profile one more of which fits.
fn room(geometry: Geometry, table: &[MigProfile], layout: &[Placed]) -> u32 {
    table
        .iter()
        .filter(|p| next_start(geometry, p, layout).is_some())
        .map(|p| p.compute_slices * p.memory_slices)
        .sum()
}

/// What is left on a GPU holding `layout`.
pub fn free_space(profiles: &[MigProfile], layout: &[Placed]) -> FreeSpace {
    let geometry = Geometry::of(profiles);
    let used_compute: u32 = layout.iter().map(|p| p.compute_slices).sum();
    FreeSpace {
        geometry,
        free_memory_slices: (0..geometry.memory_slices)
            .filter(|s| !layout.iter().any(|p| p.overlaps(*s, 1)))
            .collect(),
        free_compute_slices: geometry.compute_slices.saturating_sub(used_compute),
        fitting_profiles: profiles
            .iter()
            .filter(|p| next_start(geometry, p, layout).is_some())
            .map(|p| p.name.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    //! Layouts checked against the MIG user guide's profile tables and its valid combinations.
    use super::*;
    use crate::gpu::catalog::builtin;

    fn profiles(model: &str) -> Vec<MigProfile> {
        builtin(model).expect("a built-in model").mig_profiles()
    }

    /// Creates the profiles in order, one `nvidia-smi mig -cgi` at a time; true if all fit.
    fn fits(model: &str, layout: &[&str]) -> bool {
        let table = profiles(model);
        let mut placed: Vec<Placed> = Vec::new();
        for profile in layout {
            match place(&table, &placed, profile, 1) {
                Ok(new) => placed.extend(new),
                Err(_) => return false,
            }
        }
        true
    }

    #[test]
    fn geometries_match_the_guide() {
        let a100 = Geometry::of(&profiles("A100-40GB"));
        assert_eq!((a100.compute_slices, a100.memory_slices), (7, 8));
        let a30 = Geometry::of(&profiles("A30"));
        assert_eq!((a30.compute_slices, a30.memory_slices), (4, 4));
    }

    #[test]
    fn a100_40gb_valid_layouts() {
        for layout in [
            &["4g.20gb", "3g.20gb"][..],
            &["3g.20gb", "4g.20gb"],
            &["3g.20gb", "3g.20gb"],
            &["7g.40gb"],
            &["1g.5gb"; 7],
            &["4g.20gb", "2g.10gb", "1g.5gb"],
            &["2g.10gb", "2g.10gb", "2g.10gb", "1g.5gb"],
            &["3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"],
            &["1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb"],
            &["1g.5gb+me", "1g.5gb", "1g.5gb"],
        ] {
            assert!(fits("A100-40GB", layout), "{layout:?} should fit");
        }
    }

    #[test]
    fn a100_40gb_invalid_layouts() {
        for layout in [
            &["4g.20gb", "4g.20gb"][..],
            &["1g.5gb"; 8],
            &["7g.40gb", "1g.5gb"],
            &["3g.20gb", "3g.20gb", "1g.5gb"],
            &["1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.5gb"],
            &["2g.10gb", "2g.10gb", "2g.10gb", "2g.10gb"],
            &["1g.5gb+me", "1g.5gb+me"],
            &["4g.20gb", "3g.20gb", "1g.5gb"],
        ] {
            assert!(!fits("A100-40GB", layout), "{layout:?} should not fit");
        }
    }

    #[test]
    fn a100_40gb_rejects_profiles_of_other_models() {
        let err = place(&profiles("A100-40GB"), &[], "3g.40gb", 1).unwrap_err();
        assert!(matches!(err, FitError::UnknownProfile { .. }));
    }

    #[test]
    fn a100_80gb_layouts() {
        assert!(fits("A100-80GB", &["4g.40gb", "3g.40gb"]));
        assert!(fits("A100-80GB", &["1g.10gb"; 7]));
        assert!(fits("A100-80GB", &["3g.40gb", "2g.20gb", "2g.20gb"]));
        assert!(!fits("A100-80GB", &["1g.10gb"; 8]));
        assert!(!fits("A100-80GB", &["4g.40gb", "4g.40gb"]));
        assert!(!fits("A100-80GB", &["1g.5gb"]));
    }

    #[test]
    fn h100_80gb_layouts() {
        assert!(fits("H100-80GB", &["3g.40gb", "3g.40gb"]));
        assert!(fits("H100-80GB", &["4g.40gb", "2g.20gb", "1g.10gb"]));
        assert!(fits(
            "H100-80GB",
            &["1g.20gb", "1g.20gb", "1g.20gb", "1g.20gb"]
        ));
        assert!(fits("H100-80GB", &["7g.80gb"]));
        assert!(!fits("H100-80GB", &["7g.80gb", "1g.10gb"]));
        assert!(!fits("H100-80GB", &["1g.20gb"; 5]));
        assert!(!fits("H100-80GB", &["3g.40gb", "3g.40gb", "1g.10gb"]));
    }

    #[test]
    fn h200_layouts() {
        assert!(fits("H200", &["1g.18gb"; 7]));
        assert!(fits("H200", &["3g.71gb", "4g.71gb"]));
        assert!(fits("H200", &["2g.35gb", "2g.35gb", "2g.35gb", "1g.18gb"]));
        assert!(fits("H200", &["7g.141gb"]));
        assert!(!fits("H200", &["2g.35gb"; 4]));
        assert!(!fits("H200", &["4g.71gb", "4g.71gb"]));
        assert!(!fits("H200", &["1g.18gb"; 8]));
    }

    #[test]
    fn count_places_all_or_none_and_says_what_is_free() {
        let table = profiles("A100-40GB");
        let first = place(&table, &[], "4g.20gb", 1).unwrap();
        assert_eq!(first[0].start, 0);
        let err = place(&table, &first, "2g.10gb", 3).unwrap_err();
        let FitError::NoRoom { placed, free, .. } = &err else {
            panic!("expected NoRoom, got {err:?}");
        };
        assert_eq!(*placed, 1);
        assert_eq!(free.free_compute_slices, 1);
        assert_eq!(free.free_memory_slices, vec![6, 7]);
        assert!(
            err.to_string()
                .contains("still fits: 1g.5gb, 1g.5gb+me, 1g.10gb"),
            "{err}"
        );
        let two = place(&table, &first, "2g.10gb", 1).unwrap();
        assert_eq!(two[0].start, 4);
    }
}
