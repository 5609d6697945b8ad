//! The screenshot path for real: an X server (Xvfb) with a known background colour, the real
//! binary run with `--screenshot` against it, and the picture checked pixel by pixel. Needs
//! the `xvfb` and `x11-xserver-utils` packages (installed by `.ci/run`).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::devidence;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// An Xvfb server on a display it picks itself; stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        // -noreset: a real desktop does not reset when its last client leaves, and Xvfb's reset
        // would refuse the capture's second connection.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "800x600x24",
                "-noreset",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is needed for this test: apt-get install xvfb x11-xserver-utils");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Xvfb {
            child,
            display: format!(":{}", line.trim()),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn collect_with_a_display_puts_a_real_screenshot_on_every_report() {
    let x = Xvfb::start();
    let status = Command::new("xsetroot")
        .args(["-solid", "#3366cc"])
        .env("DISPLAY", &x.display)
        .status()
        .expect("xsetroot (x11-xserver-utils) is needed for this test");
    assert!(status.success());

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    let output = devidence(tmp.path())
        .args(["collect", "--screenshot", "--out"])
        .arg(&out)
        .env("DISPLAY", &x.display)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    for slug in common::SLUGS {
        let png = image::open(out.join(format!("{slug}.png")))
            .unwrap()
            .to_rgb8();
        // The screen (800×600) plus the caption band under it.
        assert_eq!(png.width(), 800, "{slug}");
        assert!(png.height() > 600, "{slug}");
        assert_eq!(
            png.get_pixel(10, 10).0,
            [0x33, 0x66, 0xcc],
            "{slug}: not the screen"
        );
        let pdf = std::fs::read(out.join(format!("{slug}.pdf"))).unwrap();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text: String = doc
            .extract_text(&pages)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(
            text.contains("Screenshottakenwhentheevidencewascollected"),
            "{slug}: the PDF does not say its picture is a screenshot"
        );
    }

    // Without a display the same request falls back to the cards, and says why.
    let out2 = tmp.path().join("no-display");
    let output = devidence(tmp.path())
        .args(["collect", "--screenshot", "--out"])
        .arg(&out2)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no graphical display"));
    let png = image::open(out2.join("antivirus.png")).unwrap();
    assert_eq!((png.width(), png.height()), (1200, 800), "the card");
}
