"""The model audit on a model sharded across processes with torch.distributed (FSDP2's ``fully_shard``,
tensor parallelism's ``parallelize_module``, any DTensor layout): the ranks combine what each reads from
its shards so that the verdicts are those of the same audit on the unsharded model, plus the checks only
sharding needs (:mod:`.checks`). :mod:`.launch` starts the ranks; :mod:`.reader` answers the reads;
:mod:`.layout` is the pure arithmetic of boxes and global positions."""
