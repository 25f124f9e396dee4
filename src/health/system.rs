//! System health checks through `sysinfo` (cargo feature `system`, on by
//! default): memory, disk, CPU, the process' resident memory and threads,
//! and uptime. Each reports its observed value with a unit.

use std::path::{Path, PathBuf};
use std::time::Instant;

use parking_lot::Mutex;
use sysinfo::{Disks, ProcessRefreshKind, ProcessesToUpdate, System, MINIMUM_CPU_UPDATE_INTERVAL};

use super::{CheckOptions, NamedProbe, ProbeReport, Threshold};
use crate::domain::{HealthStatus, Observation};

/// Which system checks to register and their thresholds. The defaults
/// follow the seed: memory and disk warn at 80 % and are critical at 95 %;
/// threads warn at 50 and are critical at 100; CPU, resident memory and
/// uptime are reported without thresholds. System checks are optional
/// (they degrade, never fail, readiness) unless made critical.
///
/// ```
/// use observa::health::{SystemChecks, Threshold};
///
/// let obs = observa::Observability::builder().service("api", "1").build()?;
/// obs.health().register_system_checks(
///     SystemChecks::default().disk_path("/").memory(Threshold::new(85.0, 97.0)?),
/// )?;
/// let report = obs.health().check_all();
/// let memory = report.results().iter().find(|r| r.check.component() == "memory").unwrap();
/// assert_eq!(memory.check.observations()[0].unit(), "percent");
/// # Ok::<(), observa::ObsError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct SystemChecks {
    memory: Threshold,
    disk: Threshold,
    disk_paths: Vec<PathBuf>,
    threads: Threshold,
    cpu: Option<Threshold>,
    options: CheckOptions,
}

impl Default for SystemChecks {
    fn default() -> Self {
        SystemChecks {
            memory: Threshold {
                warn: 80.0,
                critical: 95.0,
            },
            disk: Threshold {
                warn: 80.0,
                critical: 95.0,
            },
            disk_paths: Vec::new(),
            threads: Threshold {
                warn: 50.0,
                critical: 100.0,
            },
            cpu: None,
            options: CheckOptions::optional(),
        }
    }
}

impl SystemChecks {
    /// Memory used % levels.
    pub fn memory(mut self, threshold: Threshold) -> Self {
        self.memory = threshold;
        self
    }
    /// Disk used % levels.
    pub fn disk(mut self, threshold: Threshold) -> Self {
        self.disk = threshold;
        self
    }
    /// Adds a path whose file system's used % is checked.
    pub fn disk_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.disk_paths.push(path.into());
        self
    }
    /// Process thread count levels.
    pub fn threads(mut self, threshold: Threshold) -> Self {
        self.threads = threshold;
        self
    }
    /// CPU usage % levels (reported only, by default).
    pub fn cpu(mut self, threshold: Threshold) -> Self {
        self.cpu = Some(threshold);
        self
    }
    /// Options for every system check (default: optional, 1 s timeout, 1 s cache).
    pub fn options(mut self, options: CheckOptions) -> Self {
        self.options = options;
        self
    }

    /// The probes these settings describe: `memory`, `disk` (if paths are
    /// given), `cpu`, `process` (resident memory and threads) and `uptime`.
    /// `HealthService::register_system_checks` registers them.
    ///
    /// ```
    /// use observa::health::SystemChecks;
    ///
    /// let names: Vec<String> = SystemChecks::default().probes().iter().map(|p| p.name().to_owned()).collect();
    /// assert_eq!(names, ["memory", "cpu", "process", "uptime"]);
    /// ```
    pub fn probes(self) -> Vec<NamedProbe> {
        let options = self.options;
        let memory = self.memory;
        let mut probes = vec![NamedProbe::new("memory", options, move || memory_report(memory))];
        if !self.disk_paths.is_empty() {
            let (paths, disk) = (self.disk_paths, self.disk);
            probes.push(NamedProbe::new("disk", options, move || {
                disk_report(&paths, disk)
            }));
        }
        // CPU usage needs two readings at least MINIMUM_CPU_UPDATE_INTERVAL apart.
        let cpu = Mutex::new(CpuSampler::new());
        let cpu_threshold = self.cpu;
        let cpu_options = options.timeout(options.timeout_value().max(MINIMUM_CPU_UPDATE_INTERVAL * 3));
        probes.push(NamedProbe::new("cpu", cpu_options, move || {
            cpu.lock().report(cpu_threshold)
        }));
        let threads = self.threads;
        probes.push(NamedProbe::new("process", options, move || {
            process_report(threads)
        }));
        probes.push(NamedProbe::new("uptime", options, uptime_report));
        probes
    }
}

fn observed(status: HealthStatus, message: String, name: &str, value: f64, unit: &str) -> ProbeReport {
    match Observation::new(name, value, unit) {
        Ok(observation) => ProbeReport::new(status, message).with_observation(observation),
        Err(err) => ProbeReport::new(HealthStatus::Unknown, format!("unreadable {name}: {err}")),
    }
}

fn unreadable(what: &str, err: impl std::fmt::Display) -> ProbeReport {
    ProbeReport::new(HealthStatus::Unknown, format!("cannot read {what}: {err}"))
}

fn memory_report(threshold: Threshold) -> ProbeReport {
    let mut system = System::new();
    system.refresh_memory();
    let total = system.total_memory();
    if total == 0 {
        return unreadable("memory", "total memory is 0");
    }
    let used = system.used_memory() as f64 / total as f64 * 100.0;
    let status = threshold.classify(used);
    observed(
        status,
        format!("memory {used:.1}% used"),
        "utilization",
        used,
        "percent",
    )
}

fn disk_report(paths: &[PathBuf], threshold: Threshold) -> ProbeReport {
    let disks = Disks::new_with_refreshed_list();
    let mut worst = HealthStatus::Healthy;
    let mut messages = Vec::new();
    let mut observations = Vec::new();
    for path in paths {
        let Some(disk) = disk_of(&disks, path) else {
            messages.push(format!("{}: no file system found", path.display()));
            worst = worst_of(worst, HealthStatus::Degraded);
            continue;
        };
        let used = used_percent(disk.total_space(), disk.available_space());
        worst = worst_of(worst, threshold.classify(used));
        messages.push(format!("{} {used:.1}% used", path.display()));
        observations.extend(Observation::new(path.display().to_string(), used, "percent"));
    }
    observations.into_iter().fold(
        ProbeReport::new(worst, messages.join("; ")),
        ProbeReport::with_observation,
    )
}

fn worst_of(a: HealthStatus, b: HealthStatus) -> HealthStatus {
    super::worst_wins([(a, true), (b, true)])
}

/// The disk whose mount point is the longest prefix of `path`.
fn disk_of<'d>(disks: &'d Disks, path: &Path) -> Option<&'d sysinfo::Disk> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    disks
        .iter()
        .filter(|d| path.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
}

fn used_percent(total: u64, available: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    total.saturating_sub(available) as f64 / total as f64 * 100.0
}

struct CpuSampler {
    system: System,
    last: Option<Instant>,
}

impl CpuSampler {
    fn new() -> Self {
        CpuSampler {
            system: System::new(),
            last: None,
        }
    }

    fn report(&mut self, threshold: Option<Threshold>) -> ProbeReport {
        let system = &mut self.system;
        if self.last.is_none() {
            system.refresh_cpu_usage();
            self.last = Some(Instant::now());
        }
        let since = self.last.map(|t| t.elapsed()).unwrap_or_default();
        if since < MINIMUM_CPU_UPDATE_INTERVAL {
            std::thread::sleep(MINIMUM_CPU_UPDATE_INTERVAL - since);
        }
        system.refresh_cpu_usage();
        self.last = Some(Instant::now());
        let usage = f64::from(system.global_cpu_usage());
        let status = threshold.map_or(HealthStatus::Healthy, |t| t.classify(usage));
        observed(
            status,
            format!("CPU {usage:.1}% busy"),
            "utilization",
            usage,
            "percent",
        )
    }
}

fn process_report(threads: Threshold) -> ProbeReport {
    let pid = match sysinfo::get_current_pid() {
        Ok(pid) => pid,
        Err(err) => return unreadable("the process id", err),
    };
    let mut system = System::new();
    let kind = ProcessRefreshKind::nothing().with_memory().with_tasks();
    system.refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), true, kind);
    let Some(process) = system.process(pid) else {
        return unreadable("the process", "not listed");
    };
    let resident = process.memory() as f64;
    let count = thread_count(process);
    let status = threads.classify(count);
    let report = observed(status, format!("{count} threads"), "threads", count, "threads");
    match Observation::new("resident_memory", resident, "bytes") {
        Ok(observation) => report.with_observation(observation),
        Err(_) => report,
    }
}

/// Threads of the process: the main thread plus its other tasks (sysinfo
/// lists tasks without the main thread); 1 where tasks are not available.
fn thread_count(process: &sysinfo::Process) -> f64 {
    process.tasks().map_or(1.0, |tasks| tasks.len() as f64 + 1.0)
}

fn uptime_report() -> ProbeReport {
    observed(
        HealthStatus::Healthy,
        String::new(),
        "uptime",
        System::uptime() as f64,
        "s",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_defaults_at_their_boundaries() {
        let defaults = SystemChecks::default();
        for (threshold, cases) in [
            (
                defaults.memory,
                [(79.99, HealthStatus::Healthy), (80.0, HealthStatus::Degraded)],
            ),
            (
                defaults.disk,
                [(94.99, HealthStatus::Degraded), (95.0, HealthStatus::Unhealthy)],
            ),
            (
                defaults.threads,
                [(49.0, HealthStatus::Healthy), (50.0, HealthStatus::Degraded)],
            ),
            (
                defaults.threads,
                [(99.0, HealthStatus::Degraded), (100.0, HealthStatus::Unhealthy)],
            ),
        ] {
            for (value, expected) in cases {
                assert_eq!(threshold.classify(value), expected, "{value} with {threshold:?}");
            }
        }
    }

    #[test]
    fn used_percent_handles_empty_and_full() {
        assert_eq!(used_percent(0, 0), 0.0);
        assert_eq!(used_percent(100, 0), 100.0);
        assert_eq!(used_percent(100, 20), 80.0);
        assert_eq!(used_percent(100, 200), 0.0);
    }

    #[test]
    fn this_machine_reports_every_system_figure() {
        let memory = memory_report(SystemChecks::default().memory);
        assert_eq!(memory.observations()[0].unit(), "percent");
        let value = memory.observations()[0].value();
        assert!((0.0..=100.0).contains(&value), "{value}");
        let disk = disk_report(&[PathBuf::from("/")], SystemChecks::default().disk);
        assert_eq!(disk.observations().len(), 1, "{}", disk.message());
        let process = process_report(SystemChecks::default().threads);
        assert!(process
            .observations()
            .iter()
            .any(|o| o.name() == "resident_memory" && o.value() > 0.0));
        let threads = process
            .observations()
            .iter()
            .find(|o| o.name() == "threads")
            .unwrap();
        assert!(threads.value() >= 1.0);
        #[cfg(target_os = "linux")]
        assert_threads_match_the_kernel();
        let mut cpu = CpuSampler::new();
        let started = Instant::now();
        let usage = cpu.report(None);
        assert!(
            started.elapsed() >= MINIMUM_CPU_UPDATE_INTERVAL,
            "two readings, an interval apart"
        );
        assert!(usage.observations()[0].value() >= 0.0);
        assert!(uptime_report().observations()[0].value() > 0.0);
    }

    /// The kernel's thread count of this process (`Threads:` in /proc/self/status).
    #[cfg(target_os = "linux")]
    fn kernel_threads() -> f64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix("Threads:"));
        line.and_then(|v| v.trim().parse().ok()).unwrap()
    }

    /// Other tests start and end threads, so compare only when the kernel's
    /// count held still around the reading.
    #[cfg(target_os = "linux")]
    fn assert_threads_match_the_kernel() {
        let threads = |r: &ProbeReport| {
            r.observations()
                .iter()
                .find(|o| o.name() == "threads")
                .unwrap()
                .value()
        };
        for _ in 0..50 {
            let before = kernel_threads();
            let reported = threads(&process_report(SystemChecks::default().threads));
            if kernel_threads() == before {
                assert_eq!(reported, before, "threads counted by the probe vs the kernel");
                return;
            }
        }
        panic!("the thread count never held still for a reading");
    }
}
