//! A Mosquitto broker of the test's own, from the project's configuration template.

use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The template `scripts/lib.sh` fills in for development and tests.
const TEMPLATE: &str = include_str!("../../../config/mosquitto.conf.in");

/// A Mosquitto process on a free loopback port, in a directory of its own, killed and
/// cleaned up when dropped (also when a test panics).
///
/// ```no_run
/// let broker = mqtt_tcp::Mosquitto::start("max_inflight_messages 2\n")?;
/// let address = broker.address();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Mosquitto {
    child: Option<Child>,
    dir: PathBuf,
    config: PathBuf,
    port: u16,
}

impl Mosquitto {
    /// Starts a broker from `config/mosquitto.conf.in` with `extra` lines appended
    /// (`max_packet_size 200`, `autosave_on_changes true`...), and waits until it accepts
    /// connections.
    pub fn start(extra: &str) -> io::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mqtt-tcp-mosquitto-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let ws_port = free_port()?;
        let user = std::env::var("USER")
            .ok()
            .filter(|user| !user.is_empty())
            .unwrap_or_else(|| "root".to_owned());
        let dir_text = dir.to_string_lossy();
        let mut text = TEMPLATE
            .replace("@USER@", &user)
            .replace("@RUN_DIR@", &dir_text)
            .replace("@TCP_PORT@", &port.to_string())
            .replace("@TCP_ADDRESS@", "127.0.0.1")
            .replace("@WS_PORT@", &ws_port.to_string())
            .replace("@WS_BIND@", "bind_interface lo");
        text.push_str("\n# Added by the test.\n");
        text.push_str(extra);
        text.push('\n');
        let config = dir.join("mosquitto.conf");
        fs::write(&config, text)?;
        let mut broker = Mosquitto {
            child: None,
            dir,
            config,
            port,
        };
        broker.run()?;
        Ok(broker)
    }

    /// The loopback address of its MQTT listener.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Its directory: configuration, log, persistence file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the broker with SIGKILL: no chance to save anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the broker again with the same configuration, port and directory (and so the
    /// same persistence file).
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        self.run()
    }

    fn run(&mut self) -> io::Result<()> {
        let output = fs::File::create(self.dir.join("mosquitto.out"))?;
        let child = Command::new(mosquitto_binary())
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .spawn()
            .map_err(|error| {
                io::Error::new(
                    error.kind(),
                    format!(
                        "cannot run mosquitto ({error}): apt-get install -y mosquitto mosquitto-clients"
                    ),
                )
            })?;
        self.child = Some(child);
        for _ in 0..200 {
            if TcpStream::connect(self.address()).is_ok() {
                return Ok(());
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(io::Error::other(format!(
                    "mosquitto exited with {status}: {}{}",
                    fs::read_to_string(self.dir.join("mosquitto.out")).unwrap_or_default(),
                    fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(io::Error::other("mosquitto did not listen within 10 s"))
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn mosquitto_binary() -> PathBuf {
    for candidate in ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    PathBuf::from("mosquitto")
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
