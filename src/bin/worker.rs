//! The training worker's entry point, started by the page as a Web Worker.

fn main() {
    ssl_explorer::worker::start();
}
