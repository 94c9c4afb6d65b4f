//! `home-sim [--host 127.0.0.1] [--port 1883] [--seed N] [--delay-ms N] [--drift-secs N]`:
//! starts every simulated device on a thread of its own, each with its own connection to the
//! broker, and stops them cleanly (each says it is offline) on SIGINT or SIGTERM.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::collections::BTreeMap;
    use std::net::{SocketAddr, ToSocketAddrs};
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use home_sim::control::Switchboard;
    use home_sim::device::Info;
    use home_sim::run::{self, Delay, Settings};

    const USAGE: &str = "usage: home-sim [--host 127.0.0.1] [--port 1883] [--seed N] \
                         [--delay-ms N] [--drift-secs N]";
    /// Commands are answered in 150 to 400 ms unless told otherwise.
    const TYPICAL_DELAY: Duration = Duration::from_millis(275);

    #[derive(Debug, Clone, PartialEq)]
    pub struct Options {
        pub host: String,
        pub port: u16,
        pub seed: Option<u64>,
        pub delay: Duration,
        /// Zero turns drift off.
        pub drift: Duration,
    }

    impl Default for Options {
        fn default() -> Self {
            Options {
                host: "127.0.0.1".into(),
                port: 1883,
                seed: None,
                delay: TYPICAL_DELAY,
                drift: Duration::from_secs(5),
            }
        }
    }

    /// Reads `--name value` and `--name=value`. `Ok(None)` for `--help`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Ok(None);
            }
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let bad = |value: &str| format!("{name}: \"{value}\" is not valid");
            match name.as_str() {
                "--host" => options.host = value()?,
                "--port" => {
                    let v = value()?;
                    options.port = v.parse().map_err(|_| bad(&v))?;
                }
                "--seed" => {
                    let v = value()?;
                    options.seed = Some(v.parse().map_err(|_| bad(&v))?);
                }
                "--delay-ms" => {
                    let v = value()?;
                    options.delay = Duration::from_millis(v.parse().map_err(|_| bad(&v))?);
                }
                "--drift-secs" => {
                    let v = value()?;
                    let seconds: f64 = v.parse().map_err(|_| bad(&v))?;
                    options.drift = Duration::try_from_secs_f64(seconds).map_err(|_| bad(&v))?;
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(Some(options))
    }

    pub fn main() -> ExitCode {
        let options = match parse(std::env::args().skip(1)) {
            Ok(Some(options)) => options,
            Ok(None) => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Err(error) => {
                eprintln!("home-sim: {error}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        match run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("home-sim: {error}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(options: &Options) -> Result<(), String> {
        let address: SocketAddr = (options.host.as_str(), options.port)
            .to_socket_addrs()
            .map_err(|e| format!("{}: {e}", options.host))?
            .next()
            .ok_or_else(|| format!("{} has no address", options.host))?;
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // A second signal while the devices say goodbye ends the program at once.
            signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop))
                .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
                .map_err(|e| format!("cannot handle signals: {e}"))?;
        }
        let seed = options.seed.unwrap_or_else(|| fastrand::u64(..));
        let settings = Settings {
            address,
            delay: Delay {
                typical: options.delay,
            },
            drift: (!options.drift.is_zero()).then_some(options.drift),
        };

        let devices = home_sim::home::devices();
        let listed: Vec<Info> = devices.iter().filter_map(|d| d.info().cloned()).collect();
        let mut lines = BTreeMap::new();
        let mut threads = Vec::new();
        for (index, device) in (0u64..).zip(devices) {
            let (line, control) = mpsc::channel();
            lines.insert(device.key().to_owned(), line);
            let thread = run::spawn(
                device,
                settings.clone(),
                seed.wrapping_add(index),
                control,
                Arc::clone(&stop),
            )
            .map_err(|e| format!("cannot start a thread: {e}"))?;
            threads.push(thread);
        }
        // Nothing tells the switchboard what to do; its line stays open but silent.
        let (_switchboard_line, switchboard_control) = mpsc::channel();
        let switchboard = Switchboard::new(&listed, lines);
        let immediate = Settings {
            delay: Delay {
                typical: Duration::ZERO,
            },
            drift: None,
            ..settings
        };
        threads.push(
            run::spawn(
                Box::new(switchboard),
                immediate,
                seed,
                switchboard_control,
                Arc::clone(&stop),
            )
            .map_err(|e| format!("cannot start a thread: {e}"))?,
        );
        println!(
            "home-sim: {} devices on {address} (seed {seed})",
            listed.len()
        );

        while !stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(100));
        }
        println!("home-sim: stopping");
        for thread in threads {
            if thread.join().is_err() {
                eprintln!("home-sim: a device thread panicked");
            }
        }
        println!("home-sim: stopped");
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn args(text: &str) -> Vec<String> {
            text.split_whitespace().map(str::to_owned).collect()
        }

        #[test]
        fn options_default_to_a_local_broker_and_realistic_timing() {
            let options = parse(args("")).expect("valid").expect("options");
            assert_eq!(options, Options::default());
            assert_eq!(options.port, 1883);
            assert_eq!(options.delay, Duration::from_millis(275));
        }

        #[test]
        fn options_are_read_in_both_forms() {
            let options = parse(args(
                "--host localhost --port=1884 --seed 7 --delay-ms 0 --drift-secs 0.5",
            ))
            .expect("valid")
            .expect("options");
            assert_eq!(options.host, "localhost");
            assert_eq!(options.port, 1884);
            assert_eq!(options.seed, Some(7));
            assert_eq!(options.delay, Duration::ZERO);
            assert_eq!(options.drift, Duration::from_millis(500));
        }

        #[test]
        fn bad_options_are_refused_with_a_reason() {
            for bad in [
                "--port",
                "--port 99999",
                "--delay-ms soon",
                "--drift-secs -1",
                "--colour blue",
            ] {
                assert!(parse(args(bad)).is_err(), "{bad}");
            }
            assert_eq!(parse(args("--help")), Ok(None));
        }
    }
}
