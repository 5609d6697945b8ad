//! Windows permissions for the agent's own folders and files: the equivalent of the Unix rule
//! that the data folder is 0700 and a key file 0600.
//!
//! A folder the agent creates gets a protected DACL — nothing inherited from `%ProgramData%`,
//! where every user may read and add files — granting full control to SYSTEM, Administrators
//! and the folder's owner only ([`PRIVATE_SDDL`]); files created in it inherit that. A key file
//! that anyone else may read is refused. Deciding who may read or write is a pure function of
//! the security descriptor's SDDL text ([`others_with_access`]), so it is tested on any OS;
//! only reading and setting descriptors is Windows code.

/// The DACL of the agent's folders: protected (`P`), and full control (`FA`) for SYSTEM (`SY`),
/// Administrators (`BA`) and the owner (`OW`), inherited by every file and folder inside.
pub const PRIVATE_SDDL: &str = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)";

/// What an ACE may grant that matters here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reading a file's data or listing a folder.
    Read,
    /// Writing or adding files, or changing the permissions or owner.
    Write,
}

/// `FILE_READ_DATA`, `GENERIC_READ`, `GENERIC_ALL`, `MAXIMUM_ALLOWED`.
const READ_BITS: u32 = 0x1 | 0x8000_0000 | 0x1000_0000 | 0x0200_0000;
/// `FILE_WRITE_DATA`, `FILE_APPEND_DATA`, `DELETE`, `WRITE_DAC`, `WRITE_OWNER`, `GENERIC_WRITE`,
/// `GENERIC_ALL`, `MAXIMUM_ALLOWED`.
const WRITE_BITS: u32 =
    0x2 | 0x4 | 0x1_0000 | 0x4_0000 | 0x8_0000 | 0x4000_0000 | 0x1000_0000 | 0x0200_0000;

/// The principals an SDDL `O:…D:…` descriptor lets `access` the object, other than SYSTEM,
/// Administrators, the owner (`O:`) and `OWNER RIGHTS`. Inherit-only ACEs do not apply to the
/// object itself and are skipped; a missing DACL (`D:NO_ACCESS_CONTROL`, or no `D:` at all)
/// lets everyone in. `Err` when the text is not SDDL this function can read (then nothing is
/// assumed safe).
pub fn others_with_access(sddl: &str, access: Access) -> Result<Vec<String>, String> {
    let owner = section(sddl, "O:").map(str::to_string);
    let Some(dacl) = section(sddl, "D:") else {
        return Ok(vec!["everyone (the object has no DACL)".into()]);
    };
    if dacl.starts_with("NO_ACCESS_CONTROL") {
        return Ok(vec!["everyone (the DACL is null)".into()]);
    }
    let trusted = |sid: &str| {
        matches!(
            sid,
            "SY" | "BA" | "OW" | "S-1-5-18" | "S-1-5-32-544" | "S-1-3-4"
        ) || owner.as_deref() == Some(sid)
    };
    let wanted = match access {
        Access::Read => READ_BITS,
        Access::Write => WRITE_BITS,
    };
    let mut others = Vec::new();
    let aces = dacl
        .split_once('(')
        .map_or("", |(_, rest)| rest)
        .trim_end_matches(')');
    for ace in aces.split(")(").filter(|a| !a.is_empty()) {
        let fields: Vec<&str> = ace.split(';').collect();
        let [kind, flags, rights, _, _, sid, ..] = fields.as_slice() else {
            return Err(format!("unreadable ACE `({ace})`"));
        };
        if !matches!(*kind, "A" | "OA") || flags.contains("IO") {
            continue; // deny ACEs and ACEs for children only give nobody access here
        }
        if rights_mask(rights)? & wanted != 0 && !trusted(sid) && !others.iter().any(|o| o == sid) {
            others.push((*sid).to_string());
        }
    }
    Ok(others)
}

/// The text after `tag` up to the next section (`O:`, `G:`, `D:`, `S:`).
fn section<'a>(sddl: &'a str, tag: &str) -> Option<&'a str> {
    let start = find_section(sddl, tag)? + tag.len();
    let rest = &sddl[start..];
    let end = ["O:", "G:", "D:", "S:"]
        .iter()
        .filter_map(|t| find_section(rest, t))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Where a section tag starts: at the beginning or right after an ACE or a SID, never inside
/// an ACE's parentheses.
fn find_section(sddl: &str, tag: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in sddl.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 && sddl[at..].starts_with(tag) => return Some(at),
            _ => {}
        }
    }
    None
}

/// An ACE's rights: hex (`0x1200a9`) or concatenated two-letter codes (`FRFW`, `GA`, `CCDC`).
fn rights_mask(rights: &str) -> Result<u32, String> {
    if let Some(hex) = rights
        .strip_prefix("0x")
        .or_else(|| rights.strip_prefix("0X"))
    {
        return u32::from_str_radix(hex, 16).map_err(|_| format!("unreadable rights `{rights}`"));
    }
    let mut mask = 0;
    let bytes = rights.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(format!("unreadable rights `{rights}`"));
    }
    for pair in bytes.chunks(2) {
        mask |= match pair {
            b"GA" => 0x1000_0000,
            b"GR" => 0x8000_0000,
            b"GW" => 0x4000_0000,
            b"GX" => 0x2000_0000,
            b"FA" => 0x001F_01FF,
            b"FR" => 0x0012_0089,
            b"FW" => 0x0012_0116,
            b"FX" => 0x0012_00A0,
            b"KA" => 0x000F_003F,
            b"KR" => 0x0002_0019,
            b"KW" => 0x0002_0006,
            b"KX" => 0x0002_0019,
            b"CC" => 0x1,
            b"DC" => 0x2,
            b"LC" => 0x4,
            b"SW" => 0x8,
            b"RP" => 0x10,
            b"WP" => 0x20,
            b"DT" => 0x40,
            b"LO" => 0x80,
            b"CR" => 0x100,
            b"SD" => 0x1_0000,
            b"RC" => 0x2_0000,
            b"WD" => 0x4_0000,
            b"WO" => 0x8_0000,
            _ => return Err(format!("unreadable rights `{rights}`")),
        };
    }
    Ok(mask)
}

#[cfg(windows)]
pub use windows::{create_private_dir, protect_dir, sddl_of};

/// Who besides SYSTEM, Administrators and the owner may read `path` (its descriptor read and
/// judged by [`others_with_access`]); `Err` says why the permissions could not be read.
#[cfg(windows)]
pub fn others_who_can_read(path: &std::path::Path) -> Result<Vec<String>, String> {
    let sddl = sddl_of(path).map_err(|e| e.to_string())?;
    others_with_access(&sddl, Access::Read)
}

/// The Windows calls (advapi32/kernel32 through `windows-sys`): the only `unsafe` code of the
/// agent, each call checked and each buffer freed.
#[cfg(windows)]
#[allow(unsafe_code)]
mod windows {
    use super::PRIVATE_SDDL;
    use std::io;
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr::{null, null_mut};
    use windows_sys::Win32::Foundation::{ERROR_ALREADY_EXISTS, LocalFree};
    use windows_sys::Win32::Security::Authorization::{
        ConvertSecurityDescriptorToStringSecurityDescriptorW,
        ConvertStringSecurityDescriptorToSecurityDescriptorW, GetNamedSecurityInfoW,
        SDDL_REVISION_1, SE_FILE_OBJECT, SetNamedSecurityInfoW,
    };
    use windows_sys::Win32::Security::{
        DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, OWNER_SECURITY_INFORMATION,
        PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES,
    };
    use windows_sys::Win32::Storage::FileSystem::CreateDirectoryW;

    fn wide(text: impl AsRef<std::ffi::OsStr>) -> Vec<u16> {
        text.as_ref().encode_wide().chain(Some(0)).collect()
    }

    /// A security descriptor made from SDDL, freed on drop.
    struct Descriptor(PSECURITY_DESCRIPTOR);

    impl Descriptor {
        fn from_sddl(sddl: &str) -> io::Result<Descriptor> {
            let text = wide(sddl);
            let mut sd: PSECURITY_DESCRIPTOR = null_mut();
            // SAFETY: `text` is NUL-terminated and outlives the call; `sd` receives a buffer
            // the system allocated, freed in `drop`.
            let ok = unsafe {
                ConvertStringSecurityDescriptorToSecurityDescriptorW(
                    text.as_ptr(),
                    SDDL_REVISION_1,
                    &mut sd,
                    null_mut(),
                )
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Descriptor(sd))
        }
    }

    impl Drop for Descriptor {
        fn drop(&mut self) {
            // SAFETY: the pointer came from the system allocator of the converting call.
            unsafe { LocalFree(self.0) };
        }
    }

    /// Creates `dir` (its parents as usual) with [`PRIVATE_SDDL`]; an existing folder is left
    /// as it is (see [`protect_dir`] for the agent's own data folder).
    pub fn create_private_dir(dir: &Path) -> io::Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let sd = Descriptor::from_sddl(PRIVATE_SDDL)?;
        let attributes = SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: sd.0,
            bInheritHandle: 0,
        };
        let path = wide(dir);
        // SAFETY: `path` is NUL-terminated; `attributes` and the descriptor it points to
        // live until the call returns.
        let ok = unsafe { CreateDirectoryW(path.as_ptr(), &attributes) };
        if ok == 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(ERROR_ALREADY_EXISTS as i32) && dir.is_dir() {
                return Ok(()); // made by a concurrent run
            }
            return Err(err);
        }
        Ok(())
    }

    /// Sets [`PRIVATE_SDDL`] on an existing folder, replacing what it inherited: for
    /// `%ProgramData%\devidence`, which an installer or an older version may have created
    /// with the parent's permissions (every user may read there).
    pub fn protect_dir(dir: &Path) -> io::Result<()> {
        let sd = Descriptor::from_sddl(PRIVATE_SDDL)?;
        let (mut present, mut defaulted) = (0, 0);
        let mut dacl = null_mut();
        // SAFETY: `sd` is a valid descriptor; the DACL pointer points into it.
        let ok =
            unsafe { GetSecurityDescriptorDacl(sd.0, &mut present, &mut dacl, &mut defaulted) };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        let path = wide(dir);
        // SAFETY: `path` is NUL-terminated; `dacl` lives as long as `sd`.
        let status = unsafe {
            SetNamedSecurityInfoW(
                path.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                null_mut(),
                null_mut(),
                dacl,
                null(),
            )
        };
        if status != 0 {
            return Err(io::Error::from_raw_os_error(status as i32));
        }
        Ok(())
    }

    /// The owner and DACL of `path` as SDDL text.
    pub fn sddl_of(path: &Path) -> io::Result<String> {
        let name = wide(path);
        let mut sd: PSECURITY_DESCRIPTOR = null_mut();
        let info = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
        // SAFETY: `name` is NUL-terminated; `sd` receives a system-allocated buffer that is
        // freed below.
        let status = unsafe {
            GetNamedSecurityInfoW(
                name.as_ptr(),
                SE_FILE_OBJECT,
                info,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                &mut sd,
            )
        };
        if status != 0 {
            return Err(io::Error::from_raw_os_error(status as i32));
        }
        let descriptor = Descriptor(sd);
        let mut text: *mut u16 = null_mut();
        let mut len = 0u32;
        // SAFETY: `descriptor.0` is valid; `text` receives a system-allocated string.
        let ok = unsafe {
            ConvertSecurityDescriptorToStringSecurityDescriptorW(
                descriptor.0,
                SDDL_REVISION_1,
                info,
                &mut text,
                &mut len,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the system wrote `len` UTF-16 units (with the terminating NUL) at `text`.
        let units = unsafe { std::slice::from_raw_parts(text, len as usize) };
        let sddl = String::from_utf16_lossy(units)
            .trim_end_matches('\0')
            .to_string();
        // SAFETY: `text` came from the system allocator.
        unsafe { LocalFree(text.cast()) };
        Ok(sddl)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_private_folder_lets_only_system_administrators_and_the_owner_in() {
        let sddl = format!("O:BA{PRIVATE_SDDL}");
        assert!(others_with_access(&sddl, Access::Read).unwrap().is_empty());
        assert!(others_with_access(&sddl, Access::Write).unwrap().is_empty());
    }

    #[test]
    fn what_programdata_hands_down_lets_users_read_and_add_files() {
        // C:\ProgramData's documented default ACL (icacls: SYSTEM and Administrators (OI)(CI)(F),
        // CREATOR OWNER (OI)(CI)(IO)(F), Users (OI)(CI)(RX) and (CI)(WD,AD)), written here as
        // SDDL, not recorded: Users may read, and add files and folders.
        let sddl = "O:SYG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)(A;CI;LCDC;;;BU)";
        assert_eq!(others_with_access(sddl, Access::Read).unwrap(), ["BU"]);
        assert_eq!(others_with_access(sddl, Access::Write).unwrap(), ["BU"]);
    }

    #[test]
    fn a_key_file_of_the_owner_alone_passes_and_everyone_or_no_dacl_does_not() {
        let mine = "O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;S-1-5-21-1-2-3-1001)";
        assert!(others_with_access(mine, Access::Read).unwrap().is_empty());
        let everyone = "O:BAD:(A;;FR;;;WD)(A;;FA;;;BA)";
        assert_eq!(others_with_access(everyone, Access::Read).unwrap(), ["WD"]);
        let denied_only = "O:BAD:(D;;FA;;;WD)(A;;FA;;;BA)";
        assert!(
            others_with_access(denied_only, Access::Read)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            others_with_access("O:BAD:NO_ACCESS_CONTROL", Access::Read)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(others_with_access("O:BA", Access::Read).unwrap().len(), 1);
        // Rights that only let one see the attributes are not reading the key.
        let attributes = "O:BAD:(A;;0x100080;;;AU)";
        assert!(
            others_with_access(attributes, Access::Read)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn text_that_is_not_sddl_is_an_error_not_safe() {
        assert!(others_with_access("O:BAD:(A;;ZZ;;;WD)", Access::Read).is_err());
        assert!(others_with_access("O:BAD:(A;;FA)", Access::Read).is_err());
        assert!(others_with_access("O:BAD:(A;;0xZZ;;;WD)", Access::Read).is_err());
    }
}
