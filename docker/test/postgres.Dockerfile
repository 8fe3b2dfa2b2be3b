# A stand-in for the official PostgreSQL image, for docker/test.sh on machines that reach no
# container registry: Debian's PostgreSQL 15 on the locally made base image, with the part of
# the official image's interface that compose.yaml uses (POSTGRES_USER, POSTGRES_DB,
# POSTGRES_PASSWORD_FILE, data in /var/lib/postgresql/data, pg_isready). Not for production.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
