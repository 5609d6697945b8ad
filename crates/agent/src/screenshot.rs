//! A real screenshot for the evidence picture, where a graphical session exists (the `xcap`
//! crate: X11/Wayland on Linux, CoreGraphics on macOS, GDI/DXGI on Windows). Off unless the
//! `screenshot` setting is on: a screenshot shows whatever is on the screen.

/// Captures the primary monitor, or says why it cannot.
pub fn capture() -> Result<image::RgbImage, String> {
    imp::capture()
}

#[cfg(feature = "screenshot")]
mod imp {
    pub fn capture() -> Result<image::RgbImage, String> {
        if cfg!(target_os = "linux")
            && std::env::var_os("DISPLAY").is_none()
            && std::env::var_os("WAYLAND_DISPLAY").is_none()
        {
            return Err(
                "no graphical display here (neither DISPLAY nor WAYLAND_DISPLAY is set)".into(),
            );
        }
        let monitors =
            xcap::Monitor::all().map_err(|e| format!("the screens could not be listed: {e}"))?;
        let monitor = monitors
            .iter()
            .find(|m| m.is_primary().unwrap_or(false))
            .or_else(|| monitors.first())
            .ok_or("no screen is attached")?;
        let shot = monitor
            .capture_image()
            .map_err(|e| format!("the screen could not be captured: {e}"))?;
        Ok(image::DynamicImage::ImageRgba8(shot).to_rgb8())
    }
}

#[cfg(not(feature = "screenshot"))]
mod imp {
    pub fn capture() -> Result<image::RgbImage, String> {
        Err("this build of devidence has no screenshot support (feature `screenshot`)".into())
    }
}
