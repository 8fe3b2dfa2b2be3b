# For docker/test.sh with DOCKER_TEST_CONFIGURATION=debug only: debug binaries link the Swift
# runtime dynamically (release ones, built with --static-swift-stdlib, do not). This layer adds
# the toolchain's runtime libraries at the path the binaries' RUNPATH names. Not for production.
ARG IMAGE=ipm:latest
FROM ${IMAGE}
ARG RUNTIME_PATH=/opt/swift/usr/lib/swift/linux
COPY lib/ ${RUNTIME_PATH}/
