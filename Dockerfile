# One image for every worker: `candleflow run <stage>` picks the role (k8s/, compose.yaml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The CPU onnxruntime binaries are bundled; onnxruntime-node's install script downloads the CUDA provider unless
# told to skip it. A GPU image builds with --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12.
ARG ONNXRUNTIME_NODE_INSTALL=skip
RUN ONNXRUNTIME_NODE_INSTALL=$ONNXRUNTIME_NODE_INSTALL npm ci --omit=dev --no-audit --no-fund
COPY bin bin
COPY cli cli
COPY pipeline pipeline
COPY schemas schemas
COPY stages stages
COPY models models
COPY data-samples data-samples
USER node
ENTRYPOINT ["node", "bin/candleflow.js"]
CMD ["dev"]
