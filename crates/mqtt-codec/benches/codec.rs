//! Encode and decode throughput, side by side with rumqttc's `mqttbytes` in the same run.
//!
//! Run with `cargo bench -p mqtt-codec --bench codec`. Each case is one criterion group with
//! two functions, `mqtt-codec` and `rumqttc`, over the same bytes: rumqttc's packets are made
//! by decoding what this codec encoded, so both sides encode and decode identical packets.
//!
//! Decoding reads a buffer holding `STREAM` copies of the packet one after the other, as a
//! connection's receive buffer does; rumqttc's decoder consumes a `BytesMut`, so its buffer is
//! copied in the untimed setup. Encoding writes one packet into a cleared, pre-allocated
//! buffer.

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use core::hint::black_box;

    use bytes::{Buf, BytesMut};
    use criterion::{BatchSize, Criterion, Throughput, criterion_group};
    use mqtt_codec::{MAX_PACKET_SIZE, Packet, ProtocolVersion};

    use crate::common::{Rumqtt, STREAM, cases, stream, wire};

    fn case(c: &mut Criterion, name: &str, packet: Packet, version: ProtocolVersion) {
        let single = wire(&packet, version);
        let rumqtt = Rumqtt::read(version, &mut BytesMut::from(&single[..]));
        let mut check = BytesMut::new();
        rumqtt.write(&mut check);
        // Same packet on both sides: same size (5.0 properties may come in another order).
        assert_eq!(
            check.len(),
            single.len(),
            "{name}: rumqttc re-encodes differently"
        );

        let stream = stream(&single);

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Elements(STREAM as u64));
        group.bench_function("mqtt-codec", |b| {
            b.iter_batched(
                || stream.clone(),
                |mut input| {
                    while let Ok(Some((packet, used))) =
                        Packet::decode(&input, version, MAX_PACKET_SIZE)
                    {
                        black_box(packet);
                        input.advance(used);
                    }
                    input
                },
                BatchSize::SmallInput,
            )
        });
        group.bench_function("rumqttc", |b| {
            b.iter_batched(
                || BytesMut::from(&stream[..]),
                |mut input| {
                    while !input.is_empty() {
                        black_box(Rumqtt::read(version, &mut input));
                    }
                    input
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Elements(1));
        let mut buf = BytesMut::with_capacity(single.len() * 2);
        group.bench_function("mqtt-codec", |b| {
            b.iter(|| {
                buf.clear();
                black_box(&packet)
                    .encode(version, MAX_PACKET_SIZE, &mut buf)
                    .unwrap()
            })
        });
        group.bench_function("rumqttc", |b| {
            b.iter(|| {
                buf.clear();
                black_box(&rumqtt).write(&mut buf)
            })
        });
        group.finish();
    }

    fn benches(c: &mut Criterion) {
        for (name, packet, version) in cases() {
            case(c, name, packet, version);
        }
    }

    criterion_group!(codec, benches);

    /// What `criterion_main!` expands to, public so the crate's `main` can call it.
    pub fn main() {
        codec();
        Criterion::default().configure_from_args().final_summary();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

// `harness = false` needs a `main` on every target; there is nothing to measure on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}
