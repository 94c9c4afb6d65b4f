//! The cases of `codec.rs`, timed so that other work on a shared machine disturbs the
//! comparison as little as it can.
//!
//! Criterion measures one side for seconds, then the other: load that comes and goes in between
//! moves the ratio by 10 to 20 %. Here this codec and rumqttc alternate in batches of about a
//! millisecond, many times over, and each side's figure is its fastest batch, since other work
//! only ever adds time. The batches are the operations of `codec.rs`: decoding a buffer of
//! `STREAM` packets (rumqttc's copies made before the batch) and encoding into a cleared buffer.
//!
//! ```sh
//! CARGO_PROFILE_BENCH_OPT_LEVEL=3 cargo bench -p mqtt-codec --bench interleaved [-- ROUNDS] [CASE]
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use core::hint::black_box;
    use std::time::Instant;

    use bytes::{Buf, BytesMut};
    use mqtt_codec::{MAX_PACKET_SIZE, Packet, ProtocolVersion};

    use crate::common::{Rumqtt, STREAM, cases, stream, wire};

    /// Decodes of a whole stream per batch.
    const DECODES: usize = 100;
    /// Encodes per batch.
    const ENCODES: usize = 2_000;

    /// Nanoseconds per call of `f`, over `calls` calls.
    fn batch(calls: usize, mut f: impl FnMut()) -> f64 {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        start.elapsed().as_nanos() as f64 / calls as f64
    }

    /// The fastest and the median batch.
    fn summary(mut times: Vec<f64>) -> (f64, f64) {
        times.sort_by(f64::total_cmp);
        (times[0], times[times.len() / 2])
    }

    fn report(operation: &str, name: &str, ours: Vec<f64>, theirs: Vec<f64>) {
        let (ours_min, ours_median) = summary(ours);
        let (theirs_min, theirs_median) = summary(theirs);
        println!(
            "| {name} | {operation} | {ours_min:.1} ns | {theirs_min:.1} ns | {:.2}x | {:.2}x |",
            theirs_min / ours_min,
            theirs_median / ours_median,
        );
    }

    fn case(name: &str, packet: &Packet, version: ProtocolVersion, rounds: usize) {
        let single = wire(packet, version);
        let rumqtt = Rumqtt::read(version, &mut BytesMut::from(&single[..]));
        let stream = stream(&single);

        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ours.push(batch(DECODES, || {
                let mut input = stream.clone();
                while let Ok(Some((packet, used))) =
                    Packet::decode(&input, version, MAX_PACKET_SIZE)
                {
                    black_box(packet);
                    input.advance(used);
                }
                black_box(input);
            }));
            let mut copies: Vec<BytesMut> =
                (0..DECODES).map(|_| BytesMut::from(&stream[..])).collect();
            let mut copies = copies.iter_mut();
            theirs.push(batch(DECODES, || {
                if let Some(input) = copies.next() {
                    while !input.is_empty() {
                        black_box(Rumqtt::read(version, input));
                    }
                }
            }));
        }
        let per_packet = |times: Vec<f64>| times.into_iter().map(|t| t / STREAM as f64).collect();
        report("decode", name, per_packet(ours), per_packet(theirs));

        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let mut buf = BytesMut::with_capacity(single.len() * 2);
        for _ in 0..rounds {
            ours.push(batch(ENCODES, || {
                buf.clear();
                black_box(black_box(packet).encode(version, MAX_PACKET_SIZE, &mut buf)).unwrap();
            }));
            theirs.push(batch(ENCODES, || {
                buf.clear();
                black_box(black_box(&rumqtt).write(&mut buf));
            }));
        }
        report("encode", name, ours, theirs);
    }

    pub fn main() {
        // `cargo bench` passes `--bench`; a number among the other arguments sets the rounds,
        // and any other word picks the cases whose names contain it.
        let arguments: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .collect();
        let rounds = arguments
            .iter()
            .find_map(|arg| arg.parse().ok())
            .unwrap_or(200);
        let filter = arguments.iter().find(|arg| arg.parse::<usize>().is_err());
        println!("{rounds} rounds; fastest batch per side, and the ratio of fastest and of median");
        println!();
        println!("| case | operation | mqtt-codec | rumqttc | ratio (fastest) | ratio (median) |");
        println!("|---|---|---|---|---|---|");
        for (name, packet, version) in cases() {
            if filter.is_none_or(|filter| name.contains(filter.as_str())) {
                case(name, &packet, version, rounds);
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

// `harness = false` needs a `main` on every target; there is nothing to measure on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}
