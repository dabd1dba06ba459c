//! The page's entry point: mounts the Leptos app.

fn main() {
    ssl_explorer::app::mount();
}
