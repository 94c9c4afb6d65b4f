fn main() {
    lamplighter::runtime::register_service_worker();
    leptos::mount::mount_to_body(lamplighter::App);
}
