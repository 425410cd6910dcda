//! Table rows of domain types that more than one command prints.

use super::{or_dash, Cell, Output, TableRow};
use crate::domain::MigInstance;

impl TableRow for MigInstance {
    fn headers() -> Vec<&'static str> {
        vec![
            "id",
            "device",
            "node",
            "profile",
            "placement",
            "lease",
            "util",
            "uuid",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            out.number_cell(self.id),
            Cell::new(&self.device),
            Cell::new(&self.node),
            Cell::new(&self.profile),
            Cell::new(format!("{}:{}", self.placement_start, self.placement_size)),
            Cell::new(self.lease_id.map_or("-".into(), |id| format!("#{id}"))),
            out.number_cell(
                self.engine_active_pct
                    .map_or("-".into(), |p| format!("{p}%")),
            ),
            Cell::new(or_dash(&self.uuid)),
        ]
    }
}

/// The instances as a table, for `device show`.
pub(crate) fn instance_table(out: &Output, instances: &[MigInstance]) -> String {
    out.table(
        MigInstance::headers(),
        instances.iter().map(|i| i.cells(out)).collect(),
    )
}
