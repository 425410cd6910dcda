//! `gpuctl device …`: GPUs keyed by UUID.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCommand {
    /// List GPUs: filter by node, cluster, model, status, free or allocated
    #[command(visible_alias = "ls")]
    List(DeviceListArgs),
    /// Show a GPU with its MIG instances and lease
    Show(DeviceShowArgs),
    /// Add a GPU to a node
    Add(DeviceAddArgs),
    /// Change some fields of a GPU
    Update(DeviceUpdateArgs),
    /// Set a GPU's status
    SetStatus(DeviceSetStatusArgs),
    /// Remove a GPU (refused while leased)
    #[command(visible_alias = "rm")]
    Remove(DeviceRemoveArgs),
}
#[derive(Debug, Args)]
pub(crate) struct DeviceListArgs {
    /// Only GPUs of this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only GPUs of this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only GPUs of this model (name or alias)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only GPUs in this status
    #[arg(long, value_enum)]
    pub status: Option<DeviceStatus>,
    /// Only active, whole GPUs without a lease
    #[arg(long, conflicts_with = "allocated")]
    pub free: bool,
    /// Only GPUs with an active lease (whole or on a MIG instance)
    #[arg(long)]
    pub allocated: bool,
    #[command(flatten)]
    pub page: PageArgs,
}
#[derive(Debug, Args)]
pub(crate) struct DeviceShowArgs {
    /// GPU UUID (GPU-…), or a unique prefix of one
    pub uuid: String,
}
#[derive(Debug, Args)]
pub(crate) struct DeviceAddArgs {
    /// GPU UUID as NVML reports it (GPU-…)
    #[arg(value_parser = checked(GpuUuid::parse))]
    pub uuid: GpuUuid,
    /// Node the GPU is in
    #[arg(long, value_name = "NAME")]
    pub node: String,
    /// Index on the node (as nvidia-smi numbers it)
    #[arg(long, value_name = "N")]
    pub index: u32,
    /// Model name or alias
    #[arg(long, value_name = "MODEL")]
    pub model: String,
    /// Board serial number
    #[arg(long, value_name = "TEXT")]
    pub serial: Option<String>,
    /// PCI bus id, e.g. 00000000:17:00.0
    #[arg(long, value_name = "ID", value_parser = checked(PciBusId::parse))]
    pub pci_bus_id: Option<PciBusId>,
    /// Initial status
    #[arg(long, value_enum, default_value_t = DeviceStatus::Active)]
    pub status: DeviceStatus,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}
#[derive(Debug, Args)]
pub(crate) struct DeviceUpdateArgs {
    /// GPU UUID, or a unique prefix of one
    pub uuid: String,
    /// Index on the node
    #[arg(long, value_name = "N")]
    pub index: Option<u32>,
    /// Model name or alias
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Board serial number
    #[arg(long, value_name = "TEXT")]
    pub serial: Option<String>,
    /// PCI bus id
    #[arg(long, value_name = "ID", value_parser = checked(PciBusId::parse))]
    pub pci_bus_id: Option<PciBusId>,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}
#[derive(Debug, Args)]
pub(crate) struct DeviceSetStatusArgs {
    /// GPU UUID, or a unique prefix of one
    pub uuid: String,
    /// New status
    #[arg(value_enum)]
    pub status: DeviceStatus,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}
#[derive(Debug, Args)]
pub(crate) struct DeviceRemoveArgs {
    /// GPU UUID, or a unique prefix of one
    pub uuid: String,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}
