//! Where hosted media bytes live (a leaf: the `Storage` trait and the local
//! disk backend; the member area's media use cases are in `member_area`).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// A stored file being read: its size and its bytes in chunks, so a
/// download never holds the whole file in memory.
pub struct MediaBody {
    pub size: u64,
    pub chunks: Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send>>,
}

/// Chunk size of media reads.
const READ_CHUNK: usize = 64 * 1024;

/// Where hosted media bytes live. Local disk by default; another backend
/// (object storage) implements the same three calls.
pub trait Storage: Send + Sync + 'static {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFut<'a, ()>;
    fn open<'a>(&'a self, key: &'a str) -> BoxFut<'a, MediaBody>;
    fn delete<'a>(&'a self, key: &'a str) -> BoxFut<'a, ()>;
}

/// Files under a directory; keys are `<app>/<media id>` (checked, never user input).
pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        if key.is_empty() || key.contains("..") || key.starts_with('/') || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/') {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad storage key"));
        }
        Ok(self.root.join(key))
    }
}

impl Storage for LocalDisk {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            let tmp = path.with_extension("part");
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        })
    }
    fn open<'a>(&'a self, key: &'a str) -> BoxFut<'a, MediaBody> {
        Box::pin(async move {
            use tokio::io::AsyncReadExt;
            let file = tokio::fs::File::open(self.path(key)?).await?;
            let size = file.metadata().await?.len();
            let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
                let mut buf = vec![0u8; READ_CHUNK];
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some((buf, file)))
            });
            Ok(MediaBody { size, chunks: Box::pin(chunks) })
        })
    }
    fn delete<'a>(&'a self, key: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move { tokio::fs::remove_file(self.path(key)?).await })
    }
}

