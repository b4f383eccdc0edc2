"""The product logic, no transport: detect -> summarize (chunked) -> translate to each target."""

from precis_news.pipeline.core import Pipeline
from precis_news.pipeline.jobs import Detection, Metadata, SummarizeJob, Summary, Translation

__all__ = ["Detection", "Metadata", "Pipeline", "SummarizeJob", "Summary", "Translation"]
